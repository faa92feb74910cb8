"""The corporate LDAP directory: find a person, check a password, list everyone.

The service account searches; the user's own password is checked by a bind on
a fresh connection. Every value that goes into a filter is escaped. Servers
are tried in the order of ``auth.ldap.uri``; when none answers,
DirectoryUnavailable is raised so the caller can say so.
"""

import logging
import secrets
from dataclasses import dataclass, field

import ldap
import ldap.dn
import ldap.filter
from ldap.controls import SimplePagedResultsControl

log = logging.getLogger(__name__)

PAGE_SIZE = 500
# Errors that mean "this server cannot be used now": try the next one.
_DOWN = (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR, ldap.UNAVAILABLE, ldap.BUSY)


class DirectoryUnavailable(Exception):
    """No configured LDAP server could be reached (or the service account was refused)."""


@dataclass
class Person:
    """What the portal reads about one directory entry."""

    dn: str
    username: str
    display_name: str
    email: str
    department_code: str
    roles: set = field(default_factory=set)


def _first(attrs, name):
    for key, values in attrs.items():
        if key.lower() == name.lower() and values:
            return values[0].decode("utf-8", "replace").strip()
    return ""


def _dn_key(dn):
    """A DN in a form two spellings of the same name compare equal in."""
    try:
        parts = ldap.dn.str2dn(dn)
    except ldap.DECODING_ERROR:
        return dn.lower()
    return tuple(tuple(sorted((attr.lower(), value.lower()) for attr, value, _ in rdn))
                 for rdn in parts)


class Directory:
    """One configured directory (``auth.ldap``): connections, searches, binds."""

    def __init__(self, settings):
        self.settings = settings
        uri = settings["uri"]
        self.uris = [uri] if isinstance(uri, str) else list(uri)

    # --- connections -------------------------------------------------------

    def _open(self, uri):
        s = self.settings
        conn = ldap.initialize(uri)
        timeout = s["timeout_seconds"]
        conn.set_option(ldap.OPT_PROTOCOL_VERSION, 3)
        conn.set_option(ldap.OPT_REFERRALS, 0)
        conn.set_option(ldap.OPT_NETWORK_TIMEOUT, timeout)
        conn.set_option(ldap.OPT_TIMEOUT, timeout)
        conn.timeout = timeout
        if s["start_tls"] or uri.lower().startswith("ldaps://"):
            if s["ca_file"]:
                conn.set_option(ldap.OPT_X_TLS_CACERTFILE, s["ca_file"])
            conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
            conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        if s["start_tls"] and not uri.lower().startswith("ldaps://"):
            conn.start_tls_s()
        return conn

    def _service_connection(self):
        """A connection bound as the service account on the first server that answers."""
        problems = []
        for uri in self.uris:
            try:
                conn = self._open(uri)
                conn.simple_bind_s(self.settings["bind_dn"], self.settings["bind_password"])
                return conn, uri
            except _DOWN as exc:
                problems.append(f"{uri}: {_describe(exc)}")
            except ldap.INVALID_CREDENTIALS:
                log.error("LDAP %s refused the service account %s", uri, self.settings["bind_dn"])
                problems.append(f"{uri}: service account refused")
            except ldap.LDAPError as exc:
                problems.append(f"{uri}: {_describe(exc)}")
        log.warning("LDAP directory unavailable: %s", "; ".join(problems))
        raise DirectoryUnavailable("; ".join(problems))

    # --- reading people ----------------------------------------------------

    def _attributes(self):
        s = self.settings
        return [s["username_attribute"], s["display_name_attribute"], s["email_attribute"],
                s["department_attribute"]]

    def _search_people(self, conn, filterstr):
        """Every (dn, attrs) under user_base matching ``filterstr``, page by page."""
        # Not critical: a server without paging simply answers in one go.
        control = SimplePagedResultsControl(False, size=PAGE_SIZE, cookie="")
        found = []
        while True:
            msgid = conn.search_ext(self.settings["user_base"], ldap.SCOPE_SUBTREE, filterstr,
                                    self._attributes(), serverctrls=[control])
            _, data, _, controls = conn.result3(msgid, timeout=self.settings["timeout_seconds"])
            found.extend((dn, attrs) for dn, attrs in data if dn)  # skip referrals
            cookie = next((c.cookie for c in controls
                           if c.controlType == SimplePagedResultsControl.controlType), b"")
            if not cookie:
                return found
            control.cookie = cookie

    def _group_members(self, conn):
        """role -> set of member DN keys, read from each configured groupOfNames."""
        members = {}
        for role, group_dn in self.settings["role_groups"].items():
            if not group_dn:
                continue
            try:
                result = conn.search_s(group_dn, ldap.SCOPE_BASE, "(objectClass=*)", ["member"])
            except ldap.NO_SUCH_OBJECT:
                log.warning("LDAP role group %s for %s does not exist", group_dn, role)
                result = []
            values = result[0][1].get("member", []) if result else []
            members[role] = {_dn_key(v.decode("utf-8", "replace")) for v in values}
        return members

    def _person(self, dn, attrs, members):
        s = self.settings
        key = _dn_key(dn)
        return Person(
            dn=dn,
            username=_first(attrs, s["username_attribute"]),
            display_name=_first(attrs, s["display_name_attribute"]),
            email=_first(attrs, s["email_attribute"]),
            department_code=_first(attrs, s["department_attribute"])[:64],
            roles={role for role, keys in members.items() if key in keys},
        )

    def _user_filter(self, username):
        return self.settings["user_filter"].format(username=ldap.filter.escape_filter_chars(username))

    def find(self, username):
        """The Person for ``username``; None when no entry or several entries match."""
        conn, _ = self._service_connection()
        try:
            return self._find(conn, username)
        except ldap.LDAPError as exc:
            raise _unavailable(exc) from None
        finally:
            _close(conn)

    def _find(self, conn, username):
        entries = self._search_people(conn, self._user_filter(username))
        if len(entries) != 1:
            if entries:
                log.warning("LDAP: %d entries match user name %r; refused", len(entries), username)
            return None
        dn, attrs = entries[0]
        return self._person(dn, attrs, self._group_members(conn))

    def authenticate(self, username, password):
        """(Person, None) when the password is right, else (None, reason); raises DirectoryUnavailable.

        An empty or blank password is refused before any bind: a directory
        treats it as an anonymous bind that "succeeds".
        """
        if not password or not password.strip():
            return None, "empty_password"
        conn, uri = self._service_connection()
        try:
            entries = self._search_people(conn, self._user_filter(username))
            if len(entries) != 1:
                # The same bind a wrong password costs, so the answer's time does not tell whether
                # the name exists.
                self._spend_bind(uri, password)
                return None, "ambiguous" if entries else "unknown_user"
            dn, attrs = entries[0]
            if not self._user_bind(uri, dn, password):
                return None, "wrong_password"
            return self._person(dn, attrs, self._group_members(conn)), None
        except ldap.LDAPError as exc:
            raise _unavailable(exc) from None
        finally:
            _close(conn)

    def _spend_bind(self, uri, password):
        """A bind as a DN under user_base that names no entry (random each time): the work, no answer."""
        value = ldap.dn.escape_dn_chars("nobody-" + secrets.token_hex(8))
        try:
            self._user_bind(uri, f"{self.settings['username_attribute']}={value},{self.settings['user_base']}",
                            password)
        except ldap.LDAPError as exc:  # whatever the server says about nobody changes nothing
            log.debug("LDAP: the bind for an unknown name ended with %s", _describe(exc))

    def _user_bind(self, uri, dn, password):
        """True when ``dn`` binds with ``password`` on a fresh connection to ``uri``."""
        user_conn = self._open(uri)
        try:
            user_conn.simple_bind_s(dn, password)
            return True
        except (ldap.INVALID_CREDENTIALS, ldap.UNWILLING_TO_PERFORM, ldap.INAPPROPRIATE_AUTH):
            return False
        finally:
            _close(user_conn)

    def everyone(self):
        """Every Person under user_base that has a user name (for the sync)."""
        conn, _ = self._service_connection()
        try:
            filterstr = self.settings["user_filter"].format(username="*")
            members = self._group_members(conn)
            people = [self._person(dn, attrs, members)
                      for dn, attrs in self._search_people(conn, filterstr)]
        except ldap.LDAPError as exc:
            raise _unavailable(exc) from None
        finally:
            _close(conn)
        return [p for p in people if p.username]


def _unavailable(exc):
    """A directory error the user cannot fix (server gone, wrong base or filter): logged, then raised."""
    if not isinstance(exc, _DOWN):
        log.error("LDAP error (check auth.ldap settings): %s", exc)
    return DirectoryUnavailable(_describe(exc))


def _close(conn):
    try:
        conn.unbind_s()
    except ldap.LDAPError as exc:  # the server went away meanwhile; nothing left to close
        log.debug("LDAP unbind failed: %s", _describe(exc))


def _describe(exc):
    info = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    return info.get("desc") or type(exc).__name__
