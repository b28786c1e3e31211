-- The evidence log and the ledger's rows. Tokens in braces are replaced per
-- dialect (see migrate.go) so that both databases get one schema: text
-- compares bytewise everywhere, as MemStore's string order does.
CREATE TABLE evidence (
  seq            {{seqpk}},
  digest         {{text}} NOT NULL UNIQUE,
  payload_type   {{text}} NOT NULL,
  predicate_type {{text}} NOT NULL,
  established    {{text}} NOT NULL,
  signers        {{text}} NOT NULL,
  first_seen     BIGINT NOT NULL,
  envelope       {{blob}} NOT NULL
);

CREATE TABLE contributions (
  statement   {{text}} PRIMARY KEY,
  commons     {{text}} NOT NULL,
  contributor {{text}} NOT NULL,
  entity      {{text}} NOT NULL,
  kind        {{text}} NOT NULL,
  quantity    BIGINT NOT NULL,
  unit        {{text}} NOT NULL,
  from_ns     BIGINT,
  at_ns       BIGINT NOT NULL,
  evidence    {{text}} NOT NULL
) {{norowid}};
CREATE INDEX contributions_by_contributor ON contributions (contributor, commons, at_ns, statement);
CREATE INDEX contributions_by_commons ON contributions (commons, contributor, at_ns, statement);

CREATE TABLE memberships (
  statement   {{text}} PRIMARY KEY,
  contributor {{text}} NOT NULL,
  entity      {{text}} NOT NULL,
  role        {{text}} NOT NULL,
  from_ns     BIGINT NOT NULL,
  until_ns    BIGINT
);
CREATE INDEX memberships_by_entity ON memberships (entity, contributor, from_ns, statement);
CREATE INDEX memberships_by_contributor ON memberships (contributor, entity, from_ns, statement);
