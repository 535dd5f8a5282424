/**
 * Client-side leak check for the mail tests: which sockets of this process are still connected
 * to the given server ports. Uses process._getActiveHandles(), an undocumented but long-stable
 * Node API; it is only used in tests.
 */
import net from "node:net";

function activeSockets(): net.Socket[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((handle): handle is net.Socket => handle instanceof net.Socket);
}

export function openClientSockets(ports: number[]): number {
  const wanted = new Set(ports);
  return activeSockets().filter((socket) => !socket.destroyed && socket.remotePort !== undefined && wanted.has(socket.remotePort))
    .length;
}

/** Waits (briefly: close events need a tick or two) until no socket to `ports` is open. */
export async function waitForNoClientSockets(ports: number[], timeoutMs = 1_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (openClientSockets(ports) > 0) {
    if (Date.now() > until)
      throw new Error(`${openClientSockets(ports)} client socket(s) still open to ports ${ports.join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
