# The phone for examples/provision.py: joins the setup AP, finds the portal the
# way a phone does (its connectivity probe is redirected), reads the page,
# picks "home" and sends the password, then reads the outcome.
import binascii
import socket
import time

import netman

PORT = 8080


def http(address, request):
    sock = socket.socket()
    sock.connect(socket.getaddrinfo(address, PORT)[0][-1])
    sock.send(request)
    answer = b""
    while True:
        data = sock.recv(1024)
        if not data:
            break
        answer += data
    sock.close()
    return answer


while True:  # until the device's setup AP is up, as a phone keeps looking
    try:
        ip_info = netman.wait_for_sta(ssid="mpy-setup-1234", timeout_ms=15000)
        break
    except netman.NetError as error:
        if error.reason != "no_ap_found":
            raise
        time.sleep_ms(200)
portal = ip_info[2]  # the setup AP's own address
host = ("Host: %s:%d\r\n" % (portal, PORT)).encode()
probe = http(portal, b"GET /generate_204 HTTP/1.1\r\nHost: connectivitycheck.gstatic.com\r\n\r\n")
print("probe answered:", probe.split(b"\r\n")[0].decode(), [line.decode() for line in probe.split(b"\r\n")
                                                             if line.startswith(b"Location:")][0])
while b"home" not in http(portal, b"GET / HTTP/1.1\r\n" + host + b"\r\n"):
    time.sleep_ms(200)  # the device is still scanning
print("the page lists home")
form = b"net=" + binascii.hexlify(b"home") + b"&other=&psk=secret123"
http(portal, b"POST /connect HTTP/1.1\r\n" + host + b"Content-Length: %d\r\n\r\n" % len(form) + form)
while True:
    page = http(portal, b"GET / HTTP/1.1\r\n" + host + b"\r\n")
    if b"Connected to" in page or b"Could not join" in page:
        break
    time.sleep_ms(200)
outcome = page[page.find(b'id="outcome">') + 13:]
print("the page says:", outcome[:outcome.find(b"</p>")].decode().replace("<b>", "").replace("</b>", "")
      .replace("<code>", "").replace("</code>", ""))
netman.stop()
