/**
 * A real Dovecot (Debian 12's 2.3.19) for integration tests, started from its own config in a
 * temp folder: its own base_dir, state_dir, log file and instance_name, listening on 127.0.0.1
 * only. /etc/dovecot and the system service are never touched.
 *
 * What it offers (facts verified on this Dovecot build, see the comments below):
 * - IMAP and POP3 with implicit TLS (ssl = required), certificate issued from the caller's test CA;
 * - "STARTTLS" ports that really enforce STARTTLS: a TCP forwarder sends a PROXY-protocol header to a
 *   `haproxy = yes` listener, so Dovecot no longer treats the client as loopback-secure and answers
 *   LOGIN/USER before STARTTLS/STLS with PRIVACYREQUIRED / LOGINDISABLED;
 * - XOAUTH2/OAUTHBEARER with local JWT validation, plus a per-mailbox grant like Exchange's
 *   `Add-MailboxPermission` (the app may open alice's mailbox, not bob's);
 * - Basic users (passwd-file, SHA512-CRYPT from `doveadm pw`);
 * - INBOXes pre-filled with small messages (maildir owned by `nobody`).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { TestCa } from "../support/test-ca";
import { startProxyProtocolForwarder, type ProxyProtocolForwarder } from "./dovecot-proxy-forwarder";

const DOVECOT = "/usr/sbin/dovecot";
const DOVEADM = "/usr/bin/doveadm";
const ROOT = path.join(os.tmpdir(), "mcf-dovecot");
const STARTUP_TIMEOUT_MS = 5_000;

export interface DovecotOAuthOptions {
  /** accepted `iss` values (Dovecot's `issuers`) */
  issuer: string | string[];
  /** the `aud` tokens must carry; this Dovecot build checks `aud` against `client_id` */
  audience: string;
  kid: string;
  /** SPKI PEM of the RS256 key the tokens are signed with */
  publicKeyPem: string;
  /** the claim naming the calling app; Exchange app-only v1 tokens carry `appid`, v2 tokens `azp` */
  clientIdClaim: "appid" | "azp";
}

export interface StartDovecotOptions {
  ca: TestCa;
  oauth?: DovecotOAuthOptions;
  /** which app (token client id) may open which mailbox; without a grant no token opens anything */
  grants?: { clientId: string; mailbox: string }[];
  /** Basic-auth users */
  users?: { username: string; password: string }[];
  /** INBOXes to pre-fill with that many small messages */
  mailboxes?: { user: string; messages: number }[];
  /** whole seconds (Dovecot's unit). Default 0: failures are then answered after about 0.5 s */
  authFailureDelaySeconds?: number;
  /**
   * OAuth SASL mechanisms to offer; default ["xoauth2"], like Exchange Online. (imapflow prefers
   * OAUTHBEARER whenever a server offers it, so offering both would test a path Exchange never takes.)
   */
  oauthMechanisms?: ("xoauth2" | "oauthbearer")[];
  /** auth_debug and oauth2 debug. They write tokens into the log: for debugging only */
  debug?: boolean;
  proxyProtocolVersion?: 1 | 2;
}

export interface DovecotMailbox {
  messages: number;
  /** total size as POP3 STAT reports it (the messages are stored with CRLF line ends) */
  octets: number;
}

export interface DovecotServer {
  host: "127.0.0.1";
  ports: { imapTls: number; imapStarttls: number; pop3Tls: number; pop3Starttls: number };
  caPem: string;
  logFile: string;
  dir: string;
  /** pid of the Dovecot master process */
  masterPid: number;
  /** pre-filled mailboxes by (lower-case) user */
  mailboxes: Record<string, DovecotMailbox>;
  /** client connections currently open through the STARTTLS forwarders */
  starttlsConnections(): number;
  readLog(): string;
  stop(): Promise<void>;
}

interface LiveInstance {
  dir: string;
  child: ChildProcess;
}

// Instances of this process, killed on exit if a test forgot (or never reached) stop().
const live = new Set<LiveInstance>();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const instance of live) {
      if (instance.child.pid) killTree(instance.child.pid);
      fs.rmSync(instance.dir, { recursive: true, force: true });
    }
  });
}

/** Pids of every process below `pid`, read from /proc (Linux only, like Dovecot here). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid ...": comm may contain spaces, so parse after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we were looking
    }
  }
  const result: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      result.push(child);
      queue.push(child);
    }
  }
  return result;
}

/**
 * SIGKILL for the master and everything it started. A graceful SIGTERM takes Dovecot about a
 * second (three when a service is still starting up), and nothing in a test server's state is
 * worth keeping. The tree is collected first: once the master is gone its children are
 * re-parented and could no longer be found.
 */
function killTree(masterPid: number) {
  const pids = [masterPid, ...descendants(masterPid)];
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes instances left behind by test processes that died without cleaning up (SIGKILL, a
 * crashed worker): their owner pid is gone, so their Dovecot master is stopped and the folder
 * removed. The master is only signalled if its command line names that folder's config, so a
 * recycled pid cannot hit an unrelated process.
 */
function sweepStaleInstances() {
  if (!fs.existsSync(ROOT)) return;
  for (const name of fs.readdirSync(ROOT)) {
    const dir = path.join(ROOT, name);
    let ownerPid: number | undefined;
    try {
      ownerPid = (JSON.parse(fs.readFileSync(path.join(dir, "owner.json"), "utf8")) as { pid: number }).pid;
    } catch {
      // A folder another worker created a moment ago may not have its owner file yet.
      const age = Date.now() - (fs.statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age < 60_000) continue;
    }
    if (ownerPid !== undefined && isAlive(ownerPid)) continue;
    try {
      // Our own record of the master's pid (written at spawn): Dovecot's run/master.pid appears
      // a little after the listeners, so a process killed right after start may not have it yet.
      const masterPid = Number(fs.readFileSync(path.join(dir, "dovecot.pid"), "utf8").trim());
      const cmdline = fs.readFileSync(`/proc/${masterPid}/cmdline`, "utf8");
      if (cmdline.includes(dir)) killTree(masterPid);
    } catch {
      // no pid file or the master is already gone
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function nobodyIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "nobody"], { encoding: "utf8" }).trim());
  return { uid, gid };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function testMessage(user: string, index: number): string {
  // CRLF line ends: Dovecot reports sizes with CRLF, so the file size is what POP3 STAT sums up.
  return [
    "From: MCF Test <sender@example.test>",
    `To: <${user}>`,
    `Subject: Test message ${index}`,
    `Date: ${new Date(Date.UTC(2024, 0, 1, 0, 0, index)).toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <msg-${index}.${user.replace(/[^a-z0-9.-]/gi, "_")}@mcf.test>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    `This is test message number ${index}.`,
    "",
  ].join("\r\n");
}

function writeMaildir(mailRoot: string, user: string, messages: number, owner: { uid: number; gid: number }): DovecotMailbox {
  const home = path.join(mailRoot, user);
  for (const sub of ["cur", "new", "tmp"]) fs.mkdirSync(path.join(home, sub), { recursive: true });
  let octets = 0;
  const stamp = Math.floor(Date.now() / 1000);
  for (let i = 1; i <= messages; i++) {
    const body = testMessage(user, i);
    octets += Buffer.byteLength(body);
    // ":2," = maildir info with no flags: the messages are "old" (in cur) and unread.
    fs.writeFileSync(path.join(home, "cur", `${stamp}.M${i}P${process.pid}.mcf-test:2,`), body);
  }
  chownRecursive(home, owner);
  return { messages, octets };
}

function chownRecursive(target: string, owner: { uid: number; gid: number }) {
  fs.chownSync(target, owner.uid, owner.gid);
  if (fs.statSync(target).isDirectory()) {
    for (const entry of fs.readdirSync(target)) chownRecursive(path.join(target, entry), owner);
  }
}

function hashPassword(doveadmConf: string, password: string): string {
  // `doveadm pw` with our own (near-empty) config, so /etc/dovecot is not even read.
  return execFileSync(DOVEADM, ["-c", doveadmConf, "pw", "-s", "SHA512-CRYPT", "-p", password], { encoding: "utf8" }).trim();
}

interface Layout {
  dir: string;
  conf: string;
  log: string;
  tls: { certFile: string; keyFile: string; caFile: string };
  keys: string;
  mail: string;
  users: string;
  grants: string;
  oauthConf: string;
}

interface DovecotPorts {
  imaps: number;
  pop3s: number;
  imapProxied: number;
  pop3Proxied: number;
}

function dovecotConfig(layout: Layout, ports: DovecotPorts, options: StartDovecotOptions, instanceName: string): string {
  const oauth = options.oauth;
  const oauthMechanisms = (options.oauthMechanisms ?? ["xoauth2"]).join(" ");
  const mechanisms = ["plain", "login", ...(oauth ? [oauthMechanisms] : [])].join(" ");
  const lines = [
    `instance_name = ${instanceName}`,
    `base_dir = ${layout.dir}/run`,
    `state_dir = ${layout.dir}/state`,
    `log_path = ${layout.log}`,
    "protocols = imap pop3",
    "listen = 127.0.0.1",
    // TLS everywhere: implicit-TLS listeners, and STARTTLS required before any login elsewhere.
    "ssl = required",
    `ssl_cert = <${layout.tls.certFile}`,
    `ssl_key = <${layout.tls.keyFile}`,
    "ssl_dh = </usr/share/dovecot/dh.pem",
    "ssl_min_protocol = TLSv1.2",
    "disable_plaintext_auth = yes",
    `auth_mechanisms = ${mechanisms}`,
    // Seconds only; 0 still answers failures after ~0.5 s (Dovecot flushes failures on a timer).
    `auth_failure_delay = ${options.authFailureDelaySeconds ?? 0}`,
    "auth_verbose = yes",
    `auth_debug = ${options.debug ? "yes" : "no"}`,
    // Only the forwarders on 127.0.0.1 may send PROXY headers.
    "haproxy_trusted_networks = 127.0.0.1/32",
    // imap-login refuses root; mail is accessed as nobody (uid 65534), hence the low floor.
    "default_login_user = dovenull",
    "default_internal_user = dovecot",
    "first_valid_uid = 1",
    `mail_location = maildir:${layout.mail}/%u`,
  ];
  if (oauth) {
    lines.push(
      // 1. Validate the JWT locally. result_success = continue-ok hands over to the grant check;
      //    any failure ends authentication (a later passdb must not turn it into a success).
      "passdb {",
      "  driver = oauth2",
      `  mechanisms = ${oauthMechanisms}`,
      `  args = ${layout.oauthConf}`,
      "  result_success = continue-ok",
      "  result_failure = return-fail",
      "  result_internalfail = return-fail",
      "}",
      // 2. Per-mailbox permission: "<client id>/<mailbox>" must be listed. The client id comes
      //    from the token through pass_attrs (%{passdb:mcf_client_id}); nopassword=y because the
      //    token was already verified by the first passdb.
      "passdb {",
      "  driver = passwd-file",
      `  mechanisms = ${oauthMechanisms}`,
      `  args = username_format=%{passdb:mcf_client_id}/%u ${layout.grants}`,
      "  result_success = return-ok",
      "  result_failure = return-fail",
      "  result_internalfail = return-fail",
      "}",
    );
  }
  lines.push(
    "passdb {",
    "  driver = passwd-file",
    "  mechanisms = plain login",
    `  args = scheme=SHA512-CRYPT ${layout.users}`,
    "}",
    "userdb {",
    "  driver = static",
    `  args = uid=nobody gid=nogroup home=${layout.mail}/%u`,
    "}",
    "service imap-login {",
    // Dovecot's built-in listeners (imap 143, pop3 110) exist unless switched off with port 0:
    // left on, they would be loopback-"secure" plain ports and collide between parallel instances.
    "  inet_listener imap {",
    "    port = 0",
    "  }",
    "  inet_listener imaps {",
    `    port = ${ports.imaps}`,
    "    ssl = yes",
    "  }",
    // The plain IMAP listener only takes PROXY-protocol connections (from the forwarder); a
    // client connecting to it directly gets nothing, so there is no loopback-secure back door.
    "  inet_listener imap_proxied {",
    `    port = ${ports.imapProxied}`,
    "    haproxy = yes",
    "  }",
    "}",
    "service pop3-login {",
    "  inet_listener pop3 {",
    "    port = 0",
    "  }",
    "  inet_listener pop3s {",
    `    port = ${ports.pop3s}`,
    "    ssl = yes",
    "  }",
    "  inet_listener pop3_proxied {",
    `    port = ${ports.pop3Proxied}`,
    "    haproxy = yes",
    "  }",
    "}",
    // No growing penalty for repeated failures from 127.0.0.1 (up to 15 s otherwise).
    "service anvil {",
    "  unix_listener anvil-auth-penalty {",
    "    mode = 0",
    "  }",
    "}",
    "",
  );
  return lines.join("\n");
}

function oauthConfig(layout: Layout, oauth: DovecotOAuthOptions, debug: boolean): string {
  const issuers = Array.isArray(oauth.issuer) ? oauth.issuer : [oauth.issuer];
  return [
    "introspection_mode = local",
    // Keys are looked up as <prefix><azp or "default">/<alg>/<kid>.
    `local_validation_key_dict = fs:posix:prefix=${layout.keys}/`,
    `issuers = ${issuers.join(" ")}`,
    // This build rejects a token whose aud does not contain client_id ("client_id not found in aud field").
    `client_id = ${oauth.audience}`,
    // App-only tokens name no mailbox, but Dovecot insists that the token's username_attribute
    // equals the login name. A constant username_format makes that comparison always equal;
    // the mailbox permission is enforced by the grants passdb instead.
    `username_attribute = ${oauth.clientIdClaim}`,
    "username_format = mcf-app-only",
    `pass_attrs = mcf_client_id=%{oauth2:${oauth.clientIdClaim}}`,
    `debug = ${debug ? "yes" : "no"}`,
    "",
  ].join("\n");
}

function writeOauthKeys(layout: Layout, oauth: DovecotOAuthOptions, grants: StartDovecotOptions["grants"]) {
  // Dovecot 2.3.19 needs the key under the token's `azp` when it has one (v2 tokens), and under
  // "default" otherwise; the apps with grants are the azp values tests can produce.
  const azps = new Set(["default", ...(grants ?? []).map((g) => g.clientId)]);
  for (const azp of azps) {
    // kid and azp become path segments; refuse anything that could leave the key folder.
    if (!/^[A-Za-z0-9._-]+$/.test(azp) || !/^[A-Za-z0-9._-]+$/.test(oauth.kid))
      throw new Error(`unsupported kid/client id for a key path: ${azp}/${oauth.kid}`);
    const keyDir = path.join(layout.keys, azp, "RS256");
    fs.mkdirSync(keyDir, { recursive: true });
    fs.writeFileSync(path.join(keyDir, oauth.kid), oauth.publicKeyPem, { mode: 0o644 });
  }
}

export async function startDovecot(options: StartDovecotOptions): Promise<DovecotServer> {
  if (!fs.existsSync(DOVECOT)) throw new Error(`${DOVECOT} not found: apt-get install -y dovecot-imapd dovecot-pop3d`);
  installExitHook();
  fs.mkdirSync(ROOT, { recursive: true, mode: 0o755 });
  fs.chmodSync(ROOT, 0o755);
  sweepStaleInstances();

  const dir = fs.mkdtempSync(path.join(ROOT, "i-"));
  fs.writeFileSync(path.join(dir, "owner.json"), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
  // Dovecot's unprivileged processes (auth as dovecot, mail as nobody) must traverse the folder.
  fs.chmodSync(dir, 0o755);
  const instanceName = `mcf-test-${path.basename(dir)}`;
  const forwarders: ProxyProtocolForwarder[] = [];
  let instance: LiveInstance | undefined;

  try {
    const files = await options.ca.writeTo(path.join(dir, "tls"));
    const layout: Layout = {
      dir,
      conf: path.join(dir, "dovecot.conf"),
      log: path.join(dir, "dovecot.log"),
      tls: files,
      keys: path.join(dir, "keys"),
      mail: path.join(dir, "mail"),
      users: path.join(dir, "users"),
      grants: path.join(dir, "grants"),
      oauthConf: path.join(dir, "oauth2.conf.ext"),
    };
    const owner = nobodyIds();
    fs.mkdirSync(layout.mail, { mode: 0o755 });
    fs.chownSync(layout.mail, owner.uid, owner.gid);

    const doveadmConf = path.join(dir, "doveadm.conf");
    fs.writeFileSync(doveadmConf, `base_dir = ${dir}/run\n`);
    const userLines = (options.users ?? []).map((u) => {
      if (/[:\n]/.test(u.username)) throw new Error(`unsupported username: ${u.username}`);
      return `${u.username.toLowerCase()}:${hashPassword(doveadmConf, u.password)}::::::`;
    });
    fs.writeFileSync(layout.users, userLines.join("\n") + "\n", { mode: 0o644 });
    const grantLines = (options.grants ?? []).map((g) => `${g.clientId}/${g.mailbox.toLowerCase()}::::::nopassword=y`);
    fs.writeFileSync(layout.grants, grantLines.join("\n") + "\n", { mode: 0o644 });
    if (options.oauth) {
      writeOauthKeys(layout, options.oauth, options.grants);
      fs.writeFileSync(layout.oauthConf, oauthConfig(layout, options.oauth, !!options.debug), { mode: 0o644 });
    }

    const mailboxes: Record<string, DovecotMailbox> = {};
    for (const box of options.mailboxes ?? []) {
      const user = box.user.toLowerCase();
      mailboxes[user] = writeMaildir(layout.mail, user, box.messages, owner);
    }

    let ports: DovecotPorts | undefined;
    for (let attempt = 1; !ports; attempt++) {
      // Dovecot needs fixed numbers in its config; a port picked here can be taken by someone
      // else before Dovecot binds it, so a bind failure is retried with fresh ports.
      const candidate = {
        imaps: await freePort(),
        pop3s: await freePort(),
        imapProxied: await freePort(),
        pop3Proxied: await freePort(),
      };
      if (new Set(Object.values(candidate)).size < 4) continue;
      fs.writeFileSync(layout.conf, dovecotConfig(layout, candidate, options, instanceName));
      fs.writeFileSync(layout.log, "");
      const started = await launch(layout, candidate);
      if (started.ok) {
        instance = started.instance;
        ports = candidate;
      } else if (!started.addressInUse || attempt >= 3) {
        throw new Error(`Dovecot did not start: ${started.reason}`);
      }
    }
    live.add(instance!);

    const version = options.proxyProtocolVersion ?? 2;
    forwarders.push(await startProxyProtocolForwarder({ targetPort: ports.imapProxied, version }));
    forwarders.push(await startProxyProtocolForwarder({ targetPort: ports.pop3Proxied, version }));
    const [imapForwarder, pop3Forwarder] = forwarders as [ProxyProtocolForwarder, ProxyProtocolForwarder];

    let stopping: Promise<void> | undefined;
    const current = instance!;
    return {
      host: "127.0.0.1",
      ports: { imapTls: ports.imaps, imapStarttls: imapForwarder.port, pop3Tls: ports.pop3s, pop3Starttls: pop3Forwarder.port },
      caPem: options.ca.caPem,
      logFile: layout.log,
      dir,
      masterPid: current.child.pid!,
      mailboxes,
      starttlsConnections: () => imapForwarder.openConnections() + pop3Forwarder.openConnections(),
      readLog: () => fs.readFileSync(layout.log, "utf8"),
      stop: () => {
        stopping ??= (async () => {
          await Promise.all(forwarders.map((f) => f.stop()));
          await terminate(current.child);
          live.delete(current);
          fs.rmSync(dir, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
  } catch (error) {
    await Promise.all(forwarders.map((f) => f.stop()));
    if (instance) {
      await terminate(instance.child);
      live.delete(instance);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

type LaunchResult = { ok: true; instance: LiveInstance } | { ok: false; addressInUse: boolean; reason: string };

async function launch(layout: Layout, ports: DovecotPorts): Promise<LaunchResult> {
  // -F keeps the master in the foreground as our child, so stop() and the exit hook can signal
  // it directly; its own log goes to log_path, stderr only carries fatal start-up errors.
  const child = spawn(DOVECOT, ["-F", "-c", layout.conf], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    if (stderr.length < 16_384) stderr += chunk;
  });
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  child.once("error", (error) => {
    exited = true;
    stderr += String(error);
  });
  // A forgotten stop() must not keep the test process alive; the exit hook still kills Dovecot.
  child.unref();
  (child.stderr as unknown as net.Socket).unref();
  const instance = { dir: layout.dir, child };
  live.add(instance);
  if (child.pid) fs.writeFileSync(path.join(layout.dir, "dovecot.pid"), String(child.pid));

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  const allPorts = Object.values(ports);
  while (Date.now() < deadline && !exited) {
    // The master binds every listener before it starts serving, but probe them all anyway: it
    // costs a few ms and a half-started instance would make tests fail in confusing ways.
    const results = await Promise.all(allPorts.map(canConnect));
    if (results.every(Boolean)) {
      live.delete(instance);
      return { ok: true, instance };
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await terminate(child);
  live.delete(instance);
  const log = fs.existsSync(layout.log) ? fs.readFileSync(layout.log, "utf8") : "";
  const reason = `${exited ? "exited" : "timed out"}; stderr: ${stderr.trim() || "-"}; log: ${log.trim().split("\n").slice(-5).join(" | ") || "-"}`;
  return { ok: false, addressInUse: /address already in use/i.test(stderr + log), reason };
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // The child was unref'd at launch; without ref() Node could exit before reaping it.
  child.ref();
  killTree(child.pid);
  await exited;
}
