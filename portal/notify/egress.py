"""Where robot webhooks may go: the hosts of ``notify.robot_hosts`` only, and no address inside the
intranet (loopback, private, link-local, …) unless that address or its network is listed.

A webhook address is checked when the admin saves it and again, resolved, right before each delivery
(DNS may have changed); the connection then goes to the address that was checked, so a second lookup
cannot point it elsewhere. Redirects are never followed.
"""

import ipaddress
import socket

from flask import current_app


class Refused(Exception):
    """The address may not be sent to; the text says why, without anything the target answered."""


def _listed():
    """(names, networks) of ``notify.robot_hosts``."""
    names, networks = set(), []
    for entry in current_app.config["PORTAL"]["notify"]["robot_hosts"]:
        entry = entry.strip().lower().rstrip(".")
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            if entry:
                names.add(entry)
    return names, networks


def _literal(host):
    """The IP address ``host`` spells in the usual notation, or None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _public(address):
    """True for an address on the internet (not loopback, private, link-local, multicast, reserved …)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_host(host):
    """Refused unless ``host`` (a URL's host name) is one robots may be sent to."""
    host = (host or "").lower().rstrip(".")
    names, networks = _listed()
    address = _literal(host)
    if address is not None:
        if any(address in network for network in networks):
            return
        raise Refused("the address is not among notify.robot_hosts")
    if host not in names:
        raise Refused("the host is not among notify.robot_hosts")


def resolve(host, port):
    """The addresses to connect to for ``host``: each one public, or listed in ``notify.robot_hosts``."""
    check_host(host)
    _, networks = _listed()
    try:
        found = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Refused("the host name does not resolve") from None
    addresses = []
    for family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if not (_public(address) or any(address in network for network in networks)):
            raise Refused("the host resolves to an address inside the intranet")
        addresses.append((family, sockaddr))
    if not addresses:
        raise Refused("the host name does not resolve")
    return addresses


def check_on_save(host, port):
    """As at delivery, except that a name which does not resolve here yet is let through (the check at
    delivery refuses it then)."""
    check_host(host)
    if current_app.config["PORTAL"]["notify"]["robot_proxy"]:
        return  # the proxy resolves and is the way out
    try:
        resolve(host, port)
    except Refused as exc:
        if str(exc) != "the host name does not resolve":
            raise
