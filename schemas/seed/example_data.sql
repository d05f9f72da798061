-- Demo data for schemas/blog.json. Deterministic (no random()) and idempotent: every insert
-- skips rows that already exist, so running the file twice leaves the same data.
--
--   users          1,000  (user 1 is alice / alice@example.com, others userN@example.com)
--   user_profiles  1,000  (one per user)
--   posts         10,000  (author = ((id - 1) % 1000) + 1; status: id % 10 = 0 archived,
--                          1-2 draft, else published)
--   comments      20,000  (posts 1..4000 get 5 comments each: a reply chain 4 levels deep
--                          plus one more top-level comment)
--   tags              20, post_tags 19,000 (2 tags per post; 1 for every post id = 6 mod 10),
--   documents          5
BEGIN;

INSERT INTO users (id, username, email, created_at, updated_at)
SELECT g,
       CASE WHEN g = 1 THEN 'alice' ELSE 'user' || g END,
       CASE WHEN g = 1 THEN 'alice@example.com' ELSE 'user' || g || '@example.com' END,
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour',
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour'
FROM generate_series(1, 1000) AS g
WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = g)
ON CONFLICT DO NOTHING;

INSERT INTO user_profiles (id, user_id, first_name, last_name, bio, avatar_url, preferences)
SELECT g,
       g,
       CASE WHEN g = 1 THEN 'Alice' ELSE 'First' || g END,
       CASE WHEN g = 1 THEN 'Example' ELSE 'Last' || g END,
       CASE WHEN g % 3 = 0 THEN NULL ELSE 'Bio of user ' || g END,
       'https://avatars.example.com/' || g || '.png',
       jsonb_build_object('theme', CASE WHEN g % 2 = 0 THEN 'dark' ELSE 'light' END,
                          'newsletter', g % 5 = 0)
FROM generate_series(1, 1000) AS g
WHERE NOT EXISTS (SELECT 1 FROM user_profiles p WHERE p.id = g OR p.user_id = g)
ON CONFLICT DO NOTHING;

INSERT INTO posts (id, author_id, title, content, status, tags, metadata, view_count,
                   published_at, created_at, updated_at)
SELECT g,
       ((g - 1) % 1000) + 1,
       'Post ' || g || ' about ' || t.topic,
       'This is post number ' || g || '. It discusses ' || t.topic ||
           ' in some depth, with examples and benchmarks.',
       CASE WHEN g % 10 = 0 THEN 'archived'
            WHEN g % 10 IN (1, 2) THEN 'draft'
            ELSE 'published' END,
       ARRAY[t.topic, 'series' || (g % 20)],
       jsonb_build_object('word_count', 100 + g % 900, 'featured', g % 50 = 0),
       (g * 7) % 1000,
       CASE WHEN g % 10 IN (0, 1, 2) THEN NULL
            ELSE timestamptz '2024-02-01 00:00:00+00' + g * interval '10 minutes' END,
       timestamptz '2024-02-01 00:00:00+00' + g * interval '10 minutes',
       timestamptz '2024-02-01 00:00:00+00' + g * interval '10 minutes'
FROM generate_series(1, 10000) AS g
CROSS JOIN LATERAL (
  SELECT (ARRAY['postgres', 'grpc', 'redis', 'cplusplus', 'caching'])[(g % 5) + 1] AS topic
) AS t
WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = g)
ON CONFLICT DO NOTHING;

-- Comment id = (post - 1) * 5 + k. k = 1 is top-level, k = 2..4 reply to the previous comment
-- (a chain 4 levels deep), k = 5 is another top-level comment.
INSERT INTO comments (id, post_id, user_id, parent_id, content, created_at, updated_at)
SELECT c.id,
       p,
       ((c.id * 7) % 1000) + 1,
       CASE WHEN k BETWEEN 2 AND 4 THEN c.id - 1 END,
       'Comment ' || k || ' on post ' || p,
       timestamptz '2024-03-01 00:00:00+00' + c.id * interval '1 minute',
       timestamptz '2024-03-01 00:00:00+00' + c.id * interval '1 minute'
FROM generate_series(1, 4000) AS p
CROSS JOIN generate_series(1, 5) AS k
CROSS JOIN LATERAL (SELECT (p - 1) * 5 + k AS id) AS c
WHERE NOT EXISTS (SELECT 1 FROM comments x WHERE x.id = c.id)
ORDER BY c.id
ON CONFLICT DO NOTHING;

INSERT INTO tags (id, name, slug)
SELECT i, name, name
FROM unnest(ARRAY['postgres', 'grpc', 'redis', 'cplusplus', 'caching', 'json', 'orm',
                  'migrations', 'indexing', 'performance', 'security', 'testing', 'docker',
                  'linux', 'networking', 'databases', 'search', 'uuid', 'vectors', 'tutorial'])
     WITH ORDINALITY AS t(name, i)
WHERE NOT EXISTS (SELECT 1 FROM tags x WHERE x.id = i)
ON CONFLICT DO NOTHING;

INSERT INTO post_tags (post_id, tag_id)
SELECT DISTINCT g, tag_id
FROM generate_series(1, 10000) AS g
CROSS JOIN LATERAL (VALUES (((g - 1) % 20) + 1), (((g * 7 + 3) % 20) + 1)) AS v(tag_id)
WHERE NOT EXISTS (SELECT 1 FROM post_tags x WHERE x.post_id = g AND x.tag_id = v.tag_id)
ON CONFLICT DO NOTHING;

INSERT INTO documents (id, owner_id, external_id, title, body, price, rating, revision,
                       is_public, published_on, payload, attributes, keywords, embedding,
                       created_at)
SELECT ('01890000-0000-7000-8000-00000000000' || g)::uuid,
       g,
       ('00000000-0000-4000-8000-00000000000' || g)::uuid,
       'Document ' || g,
       'Body of document ' || g,
       (g * 1000 + 0.99)::numeric(12, 2),
       CASE WHEN g % 2 = 0 THEN NULL ELSE g * 1.5 END,
       g,
       g % 2 = 1,
       date '2024-01-01' + g,
       decode('deadbeef0' || g, 'hex'),
       jsonb_build_object('pages', g * 10, 'lang', 'en'),
       ARRAY['doc', 'sample' || g],
       ARRAY[g * 0.1, g * 0.2, g * 0.3]::real[],
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 day'
FROM generate_series(1, 5) AS g
WHERE NOT EXISTS (SELECT 1 FROM documents d
                  WHERE d.id = ('01890000-0000-7000-8000-00000000000' || g)::uuid)
ON CONFLICT DO NOTHING;

-- Explicit ids bypass the sequences; move them past the highest id.
SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
SELECT setval(pg_get_serial_sequence('user_profiles', 'id'), (SELECT max(id) FROM user_profiles));
SELECT setval(pg_get_serial_sequence('posts', 'id'), (SELECT max(id) FROM posts));
SELECT setval(pg_get_serial_sequence('comments', 'id'), (SELECT max(id) FROM comments));
SELECT setval(pg_get_serial_sequence('tags', 'id'), (SELECT max(id) FROM tags));

COMMIT;
