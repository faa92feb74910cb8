"""The test servers are real: slapd answers LDAP, redis-server runs RQ jobs, PostgreSQL serves SQL."""

import ldap
import pytest
from redis import Redis
from rq import Queue, SimpleWorker

from tests import servers


def test_slapd_answers_a_real_search(slapd):
    conn = ldap.initialize(slapd.ldap_uri)
    conn.simple_bind_s(slapd.root_dn, slapd.root_pw)
    found = conn.search_s("dc=example,dc=com", ldap.SCOPE_ONELEVEL, "(ou=*)", ["ou"])
    assert sorted(entry["ou"][0] for _, entry in found) == [b"groups", b"people"]
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        ldap.initialize(slapd.ldap_uri).simple_bind_s(slapd.root_dn, "wrong")


def test_redis_runs_an_rq_job_in_a_worker(redis_server):
    connection = Redis.from_url(redis_server.url)
    queue = Queue("test-servers", connection=connection)
    job = queue.enqueue(servers.free_port)
    SimpleWorker([queue], connection=connection).work(burst=True)
    job.refresh()
    assert job.is_finished
    assert 1024 < job.return_value() < 65536


def test_postgres_cluster_executes_sql(postgres_server):
    import psycopg

    with psycopg.connect(postgres_server.url()) as conn:
        assert conn.execute("SELECT 40 + 2").fetchone()[0] == 42
        assert conn.execute("SHOW fsync").fetchone()[0] == "off"
