# `ssl` for the host build: the module MicroPython's unix port freezes from
# micropython-lib (python-stdlib/ssl), which Debian's source lacks: CPython's
# ssl API, in the subset MicroPython documents, on the built-in `tls`.
import tls
from tls import *  # noqa: F401,F403 - the constants (PROTOCOL_*, CERT_*)


def _read(path):
    with open(path, "rb") as f:
        return f.read()


class SSLContext:
    def __init__(self, *protocol):
        self._context = tls.SSLContext(*protocol)
        self._context.verify_mode = tls.CERT_NONE  # micropython-lib's default

    @property
    def verify_mode(self):
        return self._context.verify_mode

    @verify_mode.setter
    def verify_mode(self, mode):
        self._context.verify_mode = mode

    def load_cert_chain(self, certfile, keyfile):
        self._context.load_cert_chain(_read(certfile) if isinstance(certfile, str) else certfile,
                                      _read(keyfile) if isinstance(keyfile, str) else keyfile)

    def load_verify_locations(self, cafile=None, cadata=None):
        self._context.load_verify_locations(_read(cafile) if cafile else cadata)

    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True, server_hostname=None):
        return self._context.wrap_socket(sock, server_side=server_side,
                                         do_handshake_on_connect=do_handshake_on_connect,
                                         server_hostname=server_hostname)


def wrap_socket(sock, server_side=False, key=None, cert=None, cert_reqs=tls.CERT_NONE, cadata=None,
                server_hostname=None, do_handshake=True):
    """The older module-level form (ussl.wrap_socket), as micropython-lib keeps it."""
    context = SSLContext(tls.PROTOCOL_TLS_SERVER if server_side else tls.PROTOCOL_TLS_CLIENT)
    if cert or key:
        context.load_cert_chain(cert, key)
    if cadata:
        context.load_verify_locations(cadata=cadata)
    context.verify_mode = cert_reqs
    return context.wrap_socket(sock, server_side=server_side, do_handshake_on_connect=do_handshake,
                               server_hostname=server_hostname)
