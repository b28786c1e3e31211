-- The change feed: one row per write to the ledger's rows or the evidence
-- log, numbered from a single-row counter that the writing transaction
-- updates just before it commits. The counter's row lock makes writers take
-- their numbers one after another and hold them until commit, so numbers
-- are handed out in commit order: a follower that has read up to n never
-- sees a later commit get a number below n (identity values, allocated at
-- insert, do not promise that on PostgreSQL).
CREATE TABLE ppl_feed (
  id   INTEGER PRIMARY KEY,
  last BIGINT NOT NULL
);
INSERT INTO ppl_feed (id, last) VALUES (1, 0);

CREATE TABLE ppl_changes (
  seq       BIGINT PRIMARY KEY,
  op        {{text}} NOT NULL,
  statement {{text}} NOT NULL
);
