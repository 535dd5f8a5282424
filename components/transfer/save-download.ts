/**
 * Hands a fetched file to the browser's download manager. The export is a POST (its passphrase must
 * not sit in a URL), so a plain link cannot download it: the response becomes a blob URL that a
 * temporary <a download> clicks.
 */
export async function saveDownload(response: Response, fallbackName: string): Promise<string> {
  const disposition = response.headers.get("content-disposition") ?? "";
  // the server writes a plain filename="…" (lib/http/download.ts keeps it free of quotes)
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  try {
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.rel = "noopener";
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // the click has queued the download; the blob URL is not needed after this task
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return name;
}

/** The `{ error: { message, fields } }` body of a refused request, or a generic message. */
export async function readErrorBody(response: Response): Promise<{ message: string; fields: Record<string, string> }> {
  const body = (await response.json().catch(() => null)) as { error?: { message?: unknown; fields?: unknown } } | null;
  const message =
    typeof body?.error?.message === "string" ? body.error.message : `The server refused the request (HTTP ${response.status}).`;
  const fields =
    body?.error?.fields && typeof body.error.fields === "object" ? (body.error.fields as Record<string, string>) : {};
  return { message, fields };
}
