-- querygate-bench tenancy rows: 4 organizations and 10,000 accounts, account n belonging to
-- organization (n - 1) % 4 + 1, whose id is 00000000-0000-4000-8000-00000000000<k>. Loaded as
-- the owner into both bench/tenancy/tenant.json and bench/tenancy/plain.json.
INSERT INTO organizations (id, name)
SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(k), 12, '0'))::uuid, 'organization ' || k
FROM generate_series(1, 4) k;
INSERT INTO accounts (id, organization_id, username, email)
SELECT n, ('00000000-0000-4000-8000-' || lpad(to_hex((n - 1) % 4 + 1), 12, '0'))::uuid,
       'user' || n, 'user' || n || '@example.com'
FROM generate_series(1, 10000) n;
SELECT setval(pg_get_serial_sequence('accounts', 'id'), 10000);
