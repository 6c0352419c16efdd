#!/usr/bin/python3
"""Real peers for the link tests, built on Debian's pyzmq (libzmq 4.3).

Usage: pyzmq_peers.py MODE [options]

Servers bind 127.0.0.1 on a free port and print one JSON line {"port": N} when ready; they run
until killed or until stdin closes (so that a dying test run never leaves one behind).
Clients connect to --endpoint, print one JSON line with what happened, and exit.

Server modes:
  curve-rep, curve-router   CURVE echo server (--secret Z85 --public Z85); --allow KEY... puts a
                            ThreadAuthenticator in front with that allowlist (--allow-any: anyone)
  curve-pub, curve-push     CURVE server of a socket type that cannot talk to DEALER/REQ
  zap-status                CURVE REP whose own ZAP handler answers --status (300, 400, 500)
  null-rep                  NULL mechanism echo server (no encryption)
  plain-rep                 PLAIN mechanism server
  http                      plain TCP that answers like an HTTP server
  blackhole                 accepts TCP connections and never sends a byte
  random                    sends random bytes on connect
  endless                   sends a greeting-like stream without end
  closer                    accepts and closes at once
Client modes:
  curve-client              CURVE DEALER client (--server-key, --public, --secret); sends one
                            message, prints {"echo": bool, "ms": N}
  curve-bench               the minimal pyzmq equivalent of `curvekeep test`: handshake + echo
"""
import json
import os
import socket
import sys
import threading
import time

import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator


def arg(name, default=None):
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    return default


def args_after(name):
    if name not in sys.argv:
        return []
    out = []
    for value in sys.argv[sys.argv.index(name) + 1:]:
        if value.startswith('--'):
            break
        out.append(value)
    return out


def ready(port):
    sys.stdout.write(json.dumps({"port": port}) + "\n")
    sys.stdout.flush()


def die_with_parent():
    def watch():
        try:
            while sys.stdin.read(1):
                pass
        finally:
            os._exit(0)
    threading.Thread(target=watch, daemon=True).start()


class Allowlist:
    def __init__(self, keys):
        self.keys = set(keys)

    def callback(self, domain, key):
        return key.decode() in self.keys if isinstance(key, bytes) else key in self.keys


def curve_server(ctx, kind):
    sock = ctx.socket(kind)
    sock.linger = 0
    sock.curve_server = True
    sock.curve_secretkey = arg('--secret').encode()
    sock.curve_publickey = arg('--public').encode()
    return sock


def serve_echo(sock, router):
    while True:
        frames = sock.recv_multipart()
        sock.send_multipart(frames)


def zap_status_handler(ctx, status):
    handler = ctx.socket(zmq.REP)
    handler.linger = 0
    handler.bind('inproc://zeromq.zap.01')

    def run():
        while True:
            request = handler.recv_multipart()
            version, sequence = request[0], request[1]
            handler.send_multipart([version, sequence, status.encode(), b'test status', b'', b''])
    threading.Thread(target=run, daemon=True).start()


def tcp_server(on_connection):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('127.0.0.1', 0))
    listener.listen(64)
    ready(listener.getsockname()[1])
    held = []
    while True:
        conn, _ = listener.accept()
        held.append(conn)
        threading.Thread(target=on_connection, args=(conn,), daemon=True).start()


def http(conn):
    try:
        conn.recv(1024)
        conn.sendall(b'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
    finally:
        conn.close()


def blackhole(conn):
    pass  # held open by tcp_server, never answered


def random_bytes(conn):
    try:
        conn.sendall(os.urandom(4096))
        time.sleep(30)
    except OSError:
        pass


def endless(conn):
    # Starts like a ZMTP signature so that only the length bound stops a reader.
    chunk = b'\xff' + b'\x00' * 8 + b'\x7f' + os.urandom(65536)
    try:
        while True:
            conn.sendall(chunk)
    except OSError:
        pass


def closer(conn):
    conn.close()


def main():
    mode = sys.argv[1]
    if not mode.startswith('curve-client') and mode != 'curve-bench':
        die_with_parent()
    ctx = zmq.Context.instance()

    if mode in ('curve-rep', 'curve-router', 'curve-pub', 'curve-push', 'zap-status'):
        allow = args_after('--allow')
        if '--allow-any' in sys.argv or allow:
            auth = ThreadAuthenticator(ctx)
            auth.start()
            if '--allow-any' in sys.argv:
                auth.configure_curve(domain='*', location=zmq.auth.CURVE_ALLOW_ANY)
            else:
                auth.configure_curve_callback(domain='*', credentials_provider=Allowlist(allow))
        if mode == 'zap-status':
            zap_status_handler(ctx, arg('--status'))
        kind = {'curve-rep': zmq.REP, 'curve-router': zmq.ROUTER, 'curve-pub': zmq.PUB,
                'curve-push': zmq.PUSH, 'zap-status': zmq.REP}[mode]
        sock = curve_server(ctx, kind)
        port = sock.bind_to_random_port('tcp://127.0.0.1')
        ready(port)
        if kind in (zmq.REP, zmq.ROUTER):
            serve_echo(sock, kind == zmq.ROUTER)
        else:
            while True:
                time.sleep(1)
    elif mode == 'null-rep':
        sock = ctx.socket(zmq.REP)
        sock.linger = 0
        ready(sock.bind_to_random_port('tcp://127.0.0.1'))
        serve_echo(sock, False)
    elif mode == 'plain-rep':
        sock = ctx.socket(zmq.REP)
        sock.linger = 0
        sock.plain_server = True
        ready(sock.bind_to_random_port('tcp://127.0.0.1'))
        serve_echo(sock, False)
    elif mode in ('http', 'blackhole', 'random', 'endless', 'closer'):
        tcp_server({'http': http, 'blackhole': blackhole, 'random': random_bytes,
                    'endless': endless, 'closer': closer}[mode])
    elif mode in ('curve-client', 'curve-bench'):
        started = time.monotonic()
        sock = ctx.socket(zmq.DEALER)
        sock.linger = 0
        sock.curve_serverkey = arg('--server-key').encode()
        sock.curve_publickey = arg('--public').encode()
        sock.curve_secretkey = arg('--secret').encode()
        sock.rcvtimeo = int(arg('--timeout', '2000'))
        sock.connect(arg('--endpoint'))
        sock.send_multipart([b'', b'curvekeep-ping'])
        try:
            reply = sock.recv_multipart()
            echoed = reply[-1] == b'curvekeep-ping'
        except zmq.Again:
            echoed = False
        print(json.dumps({"echo": echoed, "ms": round((time.monotonic() - started) * 1000, 2)}))
        sys.stdout.flush()
        sock.close(0)
        ctx.term()
    else:
        sys.stderr.write('unknown mode %s\n' % mode)
        sys.exit(2)


if __name__ == '__main__':
    main()
