-- Key revocations, and what money and licences the marketplace handed out.
-- A payment reference is unique by the database's own constraint, so two
-- instances cannot both accept one payment.
CREATE TABLE key_revocations (
  key_id    {{text}} PRIMARY KEY,
  from_ns   BIGINT NOT NULL,
  statement {{text}} NOT NULL
);

CREATE TABLE payments (
  reference {{text}} PRIMARY KEY,
  commons   {{text}} NOT NULL,
  entity    {{text}} NOT NULL,
  amount    BIGINT NOT NULL,
  currency  {{text}} NOT NULL,
  at_ns     BIGINT NOT NULL,
  grant_digest {{text}} NOT NULL
);

CREATE TABLE allocations (
  reference {{text}} NOT NULL REFERENCES payments (reference),
  party     {{text}} NOT NULL,
  amount    BIGINT NOT NULL,
  PRIMARY KEY (reference, party)
);

CREATE TABLE grants (
  digest     {{text}} PRIMARY KEY,
  commons    {{text}} NOT NULL,
  entity     {{text}} NOT NULL,
  issued_ns  BIGINT NOT NULL,
  expires_ns BIGINT NOT NULL,
  payment    {{text}} NOT NULL,
  envelope   {{blob}} NOT NULL
);
