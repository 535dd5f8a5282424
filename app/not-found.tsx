import Link from "next/link";

/**
 * Any address the console does not know. Next's built-in page would do, but it styles itself with
 * inline style attributes and a <style> element without the CSP nonce, which the policy blocks.
 */
export default function NotFound() {
  return (
    <main id="main" className="grid min-h-screen place-items-center px-4 py-10">
      <div className="w-full max-w-md rounded-lg border border-slate-200 bg-white p-6">
        <h1 className="text-lg font-semibold">Page not found</h1>
        <p className="mt-1 text-sm text-slate-600">
          There is nothing at this address.{" "}
          <Link href="/profiles" className="text-blue-700 underline">
            Go to the profiles
          </Link>
          .
        </p>
      </div>
    </main>
  );
}
