-- 10,000 random 128-d vectors, uniform in [-1, 1), the same on every run and in both databases
-- (REAL[] and pgvector's vector(128), which PostgreSQL casts real[] to on assignment), and the
-- same rows again in bench_flat_docs, which has no vector index.
SELECT setseed(0.13);
INSERT INTO bench_docs (id, embedding)
SELECT i, (SELECT array_agg((random() * 2 - 1)::real) FROM generate_series(1, 128) WHERE i > 0)
FROM generate_series(1, 10000) AS i;
INSERT INTO bench_flat_docs (id, embedding) SELECT id, embedding FROM bench_docs;
