#!/usr/bin/python3
"""A pyzmq CURVE ROUTER echo server behind a ThreadAuthenticator whose allowlist is a certificate
folder, as operators run one: auth.configure_curve(domain='*', location=DIR).

Usage: folder_router.py --secret Z85 --public Z85 --dir DIR

pyzmq reads the folder only when configure_curve is called, so the server re-reads it when a
line "reload" arrives on stdin, and answers {"reloaded": N} with the number of keys it now
allows. It prints {"port": N} once bound, and exits when stdin closes.
"""
import json
import os
import sys
import threading

import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator


def arg(name):
    return sys.argv[sys.argv.index(name) + 1]


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    folder = arg('--dir')
    ctx = zmq.Context.instance()
    auth = ThreadAuthenticator(ctx)
    auth.start()
    auth.configure_curve(domain='*', location=folder)

    sock = ctx.socket(zmq.ROUTER)
    sock.linger = 0
    sock.curve_server = True
    sock.curve_secretkey = arg('--secret').encode()
    sock.curve_publickey = arg('--public').encode()
    port = sock.bind_to_random_port('tcp://127.0.0.1')

    def control():
        for line in sys.stdin:
            if line.strip() == 'reload':
                # The command goes to the auth thread through its pipe, which it reads before
                # any later ZAP request; the count is what that folder holds.
                auth.configure_curve(domain='*', location=folder)
                say({"reloaded": len(zmq.auth.load_certificates(folder))})
        os._exit(0)

    threading.Thread(target=control, daemon=True).start()
    say({"port": port})
    while True:
        frames = sock.recv_multipart()
        sock.send_multipart(frames)


main()
