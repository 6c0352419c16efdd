#!/usr/bin/python3
"""A pyzmq CURVE client that knows its server only by a certificate file, as a real client does.

Usage: server_key_client.py --endpoint tcp://127.0.0.1:N --server-cert FILE [--timeout MS]

Loads the server's public key with zmq.auth.load_certificate (the file Curvekeep exported or
distributed), makes a fresh client key pair, connects a DEALER, sends one message and prints one
JSON line {"echo": bool}: true only if the CURVE handshake with that server key succeeded and the
server echoed. Bounded by --timeout (default 2000 ms); loopback only.
"""
import json
import sys

import zmq
import zmq.auth


def arg(name, default=None):
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    return default


def main():
    endpoint = arg('--endpoint')
    if not endpoint or not endpoint.startswith('tcp://127.0.0.1:'):
        sys.stderr.write('loopback endpoints only\n')
        sys.exit(2)
    server_public, _ = zmq.auth.load_certificate(arg('--server-cert'))
    public, secret = zmq.curve_keypair()
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.linger = 0
    sock.curve_serverkey = server_public
    sock.curve_publickey = public
    sock.curve_secretkey = secret
    sock.rcvtimeo = int(arg('--timeout', '2000'))
    sock.connect(endpoint)
    sock.send_multipart([b'', b'curvekeep-ping'])
    try:
        reply = sock.recv_multipart()
        echoed = reply[-1] == b'curvekeep-ping'
    except zmq.Again:
        echoed = False
    print(json.dumps({"echo": echoed}))
    sys.stdout.flush()
    sock.close(0)
    ctx.term()


if __name__ == '__main__':
    main()
