-- newsletter.sql - data of the campaign scenario (I) of tests/bench/run.sh,
-- loaded after seed-demo: 100,000 confirmed subscribers
-- (iscritto1..iscritto100000@misura.example) with no topic of their own: a
-- campaign whose topics are null goes to every active subscriber, so the
-- fan-out reads subscribers alone.  link_secret is any text to the portal
-- (it is MACed into each message's links); md5 keeps the rows distinct.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO subscribers (email, name, organisation, status, link_secret, created_at, confirmed_at)
SELECT 'iscritto' || n || '@misura.example', 'Iscritto di misura ' || n, 'Ente di misura ' || n % 100,
       'active', md5('misura-' || n), now() - interval '30 days', now() - interval '30 days'
FROM generate_series(1, 100000) n;
COMMIT;
ANALYZE subscribers;
