/**
 * What a stuck worker process is running, for the hang warning. From outside, a process's
 * inspector is reached only over a WebSocket: the runner starts it with SIGUSR1 (Node takes the
 * signal even in a spinning loop, through V8's interrupt), finds the port it listens on, asks it to
 * pause and reads the frames. Workers are started with `inspectOnSignalArgs()`: a port of the
 * system's choosing, so that two stuck workers do not both want 9229, and no announcement on the
 * user's stderr. The port is found through Linux's /proc; elsewhere there is no stack, as before.
 * Node has no WebSocket client before version 22, so the little of one needed here is here.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import type { SourcePlaces } from './lazySourceMap';
import { describeFrames, type CallFrame } from './threadStacks';

const canFindPorts = fs.existsSync('/proc/self/net/tcp');

/** The Node options a worker process needs for `processStack` to reach it (none where it cannot). */
export function inspectOnSignalArgs(): string[] {
  return canFindPorts && process.features.inspector ? ['--inspect-port=0', '--inspect-publish-uid=http'] : [];
}

/**
 * The stack of a worker process's main thread, innermost call first, in the user's sources; undefined
 * when it does not answer by `deadline` (Date.now() ms). It is left paused: its task hung, and it is
 * killed next.
 */
export function processStack(pid: number, placeInSources: SourcePlaces, deadline: number): Promise<string | undefined> {
  if (!canFindPorts) return Promise.resolve(undefined);
  // Whatever step is slow (a connection, an answer), the runner answers the controller in time.
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), undefined)));
  return Promise.race([askForStack(pid, placeInSources, deadline), late]).finally(() => clearTimeout(timer));
}

async function askForStack(pid: number, placeInSources: SourcePlaces, deadline: number): Promise<string | undefined> {
  let socket: net.Socket | undefined;
  try {
    const before = listeningPorts(pid);
    process.kill(pid, 'SIGUSR1');
    let port: number | undefined;
    while (port === undefined) {
      if (Date.now() > deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 10));
      port = [...listeningPorts(pid)].find((p) => !before.has(p));
    }
    const [target] = JSON.parse(await httpGet(port, '/json/list')) as { webSocketDebuggerUrl: string }[];
    const opened = await openWebSocket(new URL(target.webSocketDebuggerUrl));
    socket = opened.socket;
    return await pausedStack(opened, placeInSources, deadline);
  } catch {
    return undefined; // gone, or not answering as a Node inspector does
  } finally {
    socket?.destroy();
  }
}

/** The TCP ports `pid` listens on: its sockets' inodes looked up in the kernel's tables. */
function listeningPorts(pid: number): Set<number> {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const socket = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (socket) inodes.add(socket[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${pid}/net/${table}`, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st … inode: st 0A is LISTEN.
      const columns = line.trim().split(/\s+/);
      if (columns[3] === '0A' && inodes.has(columns[9])) ports.add(parseInt(columns[1].split(':')[1], 16));
    }
  }
  return ports;
}

function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    });
    request.on('error', reject);
  });
}

interface WebSocket {
  socket: net.Socket;
  /** What came after the upgrade's answer: the first frames. */
  rest: Buffer;
}

/** A connected WebSocket, paused after the HTTP upgrade until its messages are read. */
function openWebSocket(url: URL): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port) });
    socket.on('error', reject);
    socket.on('connect', () =>
      socket.write(
        `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    let head: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.pause();
      if (!/^HTTP\/1\.1 101/.test(head.toString('latin1', 0, end))) return reject(new Error('no WebSocket upgrade'));
      resolve({ socket, rest: head.subarray(end + 4) });
    };
    socket.on('data', onData);
  });
}

/** Enables the debugger, pauses, and describes the paused frames. */
function pausedStack({ socket, rest }: WebSocket, placeInSources: SourcePlaces, deadline: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
    const urls = new Map<string, string>();
    send(socket, { id: 1, method: 'Debugger.enable' });
    send(socket, { id: 2, method: 'Debugger.pause' });
    readMessages(socket, rest, (text) => {
      const message = JSON.parse(text) as { method?: string; params?: { scriptId?: string; url?: string; callFrames?: CallFrame[] } };
      if (message.method === 'Debugger.scriptParsed') urls.set(String(message.params!.scriptId), String(message.params!.url));
      else if (message.method === 'Debugger.paused') {
        clearTimeout(timer);
        resolve(describeFrames(message.params!.callFrames!, urls, placeInSources));
      }
    });
    socket.on('close', () => resolve(undefined));
  });
}

/** A text frame; a client masks what it sends (RFC 6455, 5.3). */
function send(socket: net.Socket, message: object): void {
  const payload = Buffer.from(JSON.stringify(message));
  const length = payload.length;
  // The length itself below 126, else 126 and 16 bits of it, or 127 and 64 bits.
  const code = length < 126 ? length : length < 65536 ? 126 : 127;
  const header = Buffer.alloc(code === 126 ? 4 : code === 127 ? 10 : 2);
  header[0] = 0x81; // the last frame of a text message
  header[1] = 0x80 | code; // masked
  if (code === 126) header.writeUInt16BE(length, 2);
  else if (code === 127) header.writeBigUInt64BE(BigInt(length), 2);
  const mask = randomBytes(4);
  for (let i = 0; i < length; i++) payload[i] ^= mask[i & 3];
  socket.write(Buffer.concat([header, mask, payload]));
}

/** Calls `onText` with each text message the server sends (its frames are not masked). */
function readMessages(socket: net.Socket, rest: Buffer, onText: (text: string) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  let fragments: Buffer[] = [];
  const onData = (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      if (pending.length < 2) return;
      let length = pending[1] & 0x7f;
      let at = 2;
      if (length === 126) {
        if (pending.length < 4) return;
        length = pending.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (pending.length < 10) return;
        length = Number(pending.readBigUInt64BE(2));
        at = 10;
      }
      if (pending.length < at + length) return;
      const fin = (pending[0] & 0x80) !== 0;
      const opcode = pending[0] & 0x0f;
      fragments.push(pending.subarray(at, at + length));
      pending = pending.subarray(at + length);
      if (!fin) continue;
      const payload = Buffer.concat(fragments);
      fragments = [];
      if (opcode === 0x1 || opcode === 0x0) onText(payload.toString('utf8'));
      else if (opcode === 0x8) socket.end();
    }
  };
  socket.on('data', onData);
  if (rest.length > 0) onData(rest);
  socket.resume();
}
