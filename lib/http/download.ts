/** Headers for a file download with a safe file name (no quotes, path separators or control characters). */
export function downloadHeaders(baseName: string, extension: string, contentType: string): HeadersInit {
  const safe =
    baseName
      .replace(/[^\w.-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 80) || "download";
  return {
    "Content-Type": contentType,
    "Content-Disposition": `attachment; filename="${safe}.${extension}"`,
    "Cache-Control": "no-store",
  };
}
