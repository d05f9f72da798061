-- Demo data for the multi-tenant example (examples/multitenant/schema). Load it as the owner of
-- the tables (the migration role): every tenant-scoped row names its organization explicitly.
-- Idempotent: rows that already exist are skipped.
--
--   plans          2 (global)
--   organizations  acme   11111111-1111-4111-8111-111111111111 (plan team)
--                  globex 22222222-2222-4222-8222-222222222222 (plan free)
--   members        acme: 1 alice@acme.example, 2 carol@shared.example
--                  globex: 3 bob@globex.example, 4 carol@shared.example (the same e-mail in
--                  both: members.email is unique per organization)
--   projects       acme: 1 Rocket sled, 2 Anvil delivery; globex: 3 Hammock factory
--   tasks          acme: 1-4; globex: 5-6
BEGIN;

INSERT INTO plans (id, name, max_projects) VALUES
  (1, 'free', 3),
  (2, 'team', 50)
ON CONFLICT DO NOTHING;

INSERT INTO organizations (id, name, plan_id) VALUES
  ('11111111-1111-4111-8111-111111111111', 'Acme Corporation', 2),
  ('22222222-2222-4222-8222-222222222222', 'Globex', 1)
ON CONFLICT DO NOTHING;

INSERT INTO members (id, organization_id, email, name) VALUES
  (1, '11111111-1111-4111-8111-111111111111', 'alice@acme.example', 'Alice'),
  (2, '11111111-1111-4111-8111-111111111111', 'carol@shared.example', 'Carol (Acme)'),
  (3, '22222222-2222-4222-8222-222222222222', 'bob@globex.example', 'Bob'),
  (4, '22222222-2222-4222-8222-222222222222', 'carol@shared.example', 'Carol (Globex)')
ON CONFLICT DO NOTHING;

INSERT INTO projects (id, organization_id, name, description) VALUES
  (1, '11111111-1111-4111-8111-111111111111', 'Rocket sled', 'Faster than a roadrunner'),
  (2, '11111111-1111-4111-8111-111111111111', 'Anvil delivery', NULL),
  (3, '22222222-2222-4222-8222-222222222222', 'Hammock factory', 'Globex side project')
ON CONFLICT DO NOTHING;

INSERT INTO tasks (id, organization_id, project_id, title, done, assignee_id) VALUES
  (1, '11111111-1111-4111-8111-111111111111', 1, 'Order rocket motors', true, 1),
  (2, '11111111-1111-4111-8111-111111111111', 1, 'Paint the sled', false, 2),
  (3, '11111111-1111-4111-8111-111111111111', 2, 'Find a cliff', false, 2),
  (4, '11111111-1111-4111-8111-111111111111', 2, 'Buy anvils', false, NULL),
  (5, '22222222-2222-4222-8222-222222222222', 3, 'Weave hammocks', false, 4),
  (6, '22222222-2222-4222-8222-222222222222', 3, 'Hire a foreman', true, 3)
ON CONFLICT DO NOTHING;

SELECT setval(pg_get_serial_sequence('plans', 'id'), (SELECT max(id) FROM plans));
SELECT setval(pg_get_serial_sequence('members', 'id'), (SELECT max(id) FROM members));
SELECT setval(pg_get_serial_sequence('projects', 'id'), (SELECT max(id) FROM projects));
SELECT setval(pg_get_serial_sequence('tasks', 'id'), (SELECT max(id) FROM tasks));

COMMIT;
