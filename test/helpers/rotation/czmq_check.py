#!/usr/bin/python3
"""Reads certificates the way CZMQ does (ctypes on libczmq.so.4), for the provisioning tests.

  czmq_check.py cert PATH...     zcert_load each public cert (its PATH_secret too, when there);
                                 prints [{"public": Z85, "secret": Z85 or null}, ...]
  czmq_check.py store DIR KEY... zcertstore_new(DIR); prints {"found": [bool per KEY]}
"""
import ctypes
import json
import sys

czmq = ctypes.CDLL('libczmq.so.4')
czmq.zcert_load.restype = ctypes.c_void_p
czmq.zcert_load.argtypes = [ctypes.c_char_p]
czmq.zcert_public_txt.restype = ctypes.c_char_p
czmq.zcert_public_txt.argtypes = [ctypes.c_void_p]
czmq.zcert_secret_txt.restype = ctypes.c_char_p
czmq.zcert_secret_txt.argtypes = [ctypes.c_void_p]
czmq.zcertstore_new.restype = ctypes.c_void_p
czmq.zcertstore_new.argtypes = [ctypes.c_char_p]
czmq.zcertstore_lookup.restype = ctypes.c_void_p
czmq.zcertstore_lookup.argtypes = [ctypes.c_void_p, ctypes.c_char_p]

ZERO = '0000000000000000000000000000000000000000'
mode = sys.argv[1]
if mode == 'cert':
    out = []
    for path in sys.argv[2:]:
        cert = czmq.zcert_load(path.encode())
        if not cert:
            out.append(None)
            continue
        secret = czmq.zcert_secret_txt(cert).decode()
        out.append({"public": czmq.zcert_public_txt(cert).decode(), "secret": None if secret == ZERO else secret})
    print(json.dumps(out))
elif mode == 'store':
    store = czmq.zcertstore_new(sys.argv[2].encode())
    print(json.dumps({"found": [bool(czmq.zcertstore_lookup(store, key.encode())) for key in sys.argv[3:]]}))
