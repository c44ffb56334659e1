-- Statements that must fail (read by test_corpus.c). Each case starts with a header line
-- made of: two dashes, the word error, the code (SYNTAX or UNSUPPORTED), the byte offset of
-- the error in the case's text, a colon and the exact message. The case's SQL follows.

-- error SYNTAX 16: syntax error at or near "FRM"
SELECT STREAM * FRM "SOURCE_SQL_STREAM_001";
-- error SYNTAX 239: syntax error at or near "price"
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker_symbol price FROM "SOURCE_SQL_STREAM_001" WHER price > 10;
-- error SYNTAX 33: syntax error at end of input
SELECT STREAM ticker FROM s WHERE
-- error SYNTAX 22: syntax error at or near "FROM"
SELECT STREAM ticker, FROM s
-- error SYNTAX 34: syntax error at or near "ticker"
SELECT STREAM ticker FROM s GROUP ticker
-- error SYNTAX 29: syntax error at end of input
CREATE STREAM s (a VARCHAR(4)
-- error SYNTAX 17: syntax error at or near "user"
CREATE STREAM s (user VARCHAR(4))
-- error SYNTAX 36: syntax error at or near "value"
CREATE STREAM s ("user" VARCHAR(4), value INT)
-- error SYNTAX 23: syntax error at or near "/"
SELECT STREAM a FROM s // note: filter
-- error SYNTAX 14: unterminated string literal
SELECT STREAM 'abc FROM s
-- error SYNTAX 16: unterminated /* comment
SELECT STREAM a /* comment FROM s
-- error SYNTAX 14: unterminated quoted identifier
SELECT STREAM "abc FROM s
-- error SYNTAX 35: syntax error at or near "="
SELECT STREAM a FROM s WHERE a = 1 = 2
-- error SYNTAX 40: syntax error at or near "LIKE"
SELECT STREAM a FROM s WHERE a LIKE 'x' LIKE 'y'
-- error SYNTAX 27: invalid interval qualifier
SELECT STREAM INTERVAL '1' FORTNIGHT FROM s
-- error SYNTAX 14: invalid interval literal '1:70' for INTERVAL HOUR TO MINUTE
SELECT STREAM INTERVAL '1:70' HOUR TO MINUTE FROM s
-- error SYNTAX 14: invalid TIMESTAMP literal '2024-13-01 00:00:00'
SELECT STREAM TIMESTAMP '2024-13-01 00:00:00' FROM s
-- error SYNTAX 33: invalid interval qualifier YEAR TO DAY
SELECT STREAM CAST(a AS INTERVAL YEAR TO DAY) FROM s
-- error SYNTAX 33: invalid interval qualifier MONTH TO DAY
SELECT STREAM CAST(a AS INTERVAL MONTH TO DAY) FROM s
-- error SYNTAX 22: an interval qualifier after a parenthesized expression needs a datetime difference such as (a - b) SECOND
SELECT STREAM (a + b) SECOND FROM s
-- error SYNTAX 29: JOIN needs an ON or USING condition
SELECT STREAM a FROM s JOIN t
-- error SYNTAX 23: OUTER JOIN needs LEFT, RIGHT or FULL
SELECT STREAM a FROM s OUTER JOIN t ON s.a = t.a
-- error SYNTAX 36: syntax error at or near "ON"
SELECT STREAM a FROM s CROSS JOIN t ON s.a = t.a
-- error SYNTAX 38: syntax error at or near "ON"
SELECT STREAM a FROM s NATURAL JOIN t ON s.a = t.a
-- error SYNTAX 34: syntax error at or near "ORDER"
SELECT STREAM a FROM s ORDER BY a ORDER BY b
-- error SYNTAX 36: multiple ORDER BY clauses are not allowed
(SELECT STREAM a FROM s ORDER BY a) ORDER BY a
-- error SYNTAX 69: syntax error at end of input
SELECT STREAM a FROM s UNION SELECT STREAM a FROM t ORDER BY 1 WITHIN
-- error UNSUPPORTED 16: INTERSECT ALL is not supported in the KDA dialect
SELECT a FROM s INTERSECT ALL SELECT a FROM t
-- error UNSUPPORTED 16: EXCEPT ALL is not supported in the KDA dialect
SELECT a FROM s EXCEPT ALL SELECT a FROM t
-- error SYNTAX 27: DECIMAL precision must be between 1 and 19
CREATE STREAM s (a DECIMAL(20,2))
-- error SYNTAX 29: DECIMAL scale must be between 0 and 5
CREATE STREAM s (a DECIMAL(5,6))
-- error SYNTAX 27: the length of VARCHAR must be between 1 and 65534
CREATE STREAM s (a VARCHAR(0))
-- error SYNTAX 24: the length of CHAR must be between 1 and 65534
CREATE STREAM s (a CHAR(65535))
-- error SYNTAX 19: a stream column cannot have an INTERVAL type
CREATE STREAM s (a INTERVAL DAY)
-- error SYNTAX 28: syntax error at or near "("
CREATE STREAM s (a TIMESTAMP(3))
-- error SYNTAX 51: conflicting or repeated function characteristic
CREATE FUNCTION f(a INT) RETURNS INT DETERMINISTIC NOT DETERMINISTIC RETURN a
-- error UNSUPPORTED 46: LANGUAGE JAVA is not supported in the KDA dialect
CREATE FUNCTION f(a INT) RETURNS INT LANGUAGE JAVA RETURN a
-- error SYNTAX 36: syntax error at end of input
CREATE FUNCTION f(a INT) RETURNS INT
-- error SYNTAX 8: EXPLAIN cannot explain an EXPLAIN
EXPLAIN EXPLAIN SELECT a FROM s
-- error SYNTAX 35: syntax error at or near ")"
SELECT STREAM a FROM s WHERE a IN ()
-- error SYNTAX 21: syntax error at or near ","
SELECT STREAM COUNT(*, a) FROM s
-- error SYNTAX 60: syntax error at or near ")"
SELECT STREAM a FROM s WINDOW w AS (ROWS BETWEEN 1 PRECEDING)
-- error SYNTAX 44: syntax error at or near "RANGE"
SELECT STREAM a FROM s WINDOWED BY STAGGER (RANGE INTERVAL '1' MINUTE)
-- error SYNTAX 73: STRICTLY and IMMEDIATELY cannot be combined
SELECT STREAM a FROM s WHERE (a, b) PRECEDES (c, d) STRICTLY IMMEDIATELY PRECEDES (e, f)
-- error SYNTAX 20: syntax error at end of input
SELECT STREAM a FROM
-- error SYNTAX 45: syntax error at end of input
SELECT STREAM a FROM s;; SELECT STREAM b FROM
-- error SYNTAX 43: unknown record format "XML"
CREATE INPUT s FROM STREAM "clicks" FORMAT XML COLUMNS (a INT)
-- error SYNTAX 48: PARALLELISM must be between 1 and 64
CREATE INPUT s FROM STREAM "clicks" PARALLELISM 65 FORMAT JSON COLUMNS (a INT)
-- error SYNTAX 48: PARALLELISM must be between 1 and 64
CREATE INPUT s FROM STREAM "clicks" PARALLELISM 0 FORMAT JSON COLUMNS (a INT)
-- error SYNTAX 56: PATH is not allowed with FORMAT CSV: CSV columns are mapped by position
CREATE INPUT s FROM STREAM "clicks" FORMAT CSV COLUMNS (a INT PATH '$.a')
-- error SYNTAX 47: ROW PATH applies to FORMAT JSON only
CREATE INPUT s FROM STREAM "clicks" FORMAT CSV ROW PATH '$' COLUMNS (a INT)
-- error SYNTAX 48: COLUMN DELIMITER applies to FORMAT CSV only
CREATE INPUT s FROM STREAM "clicks" FORMAT JSON COLUMN DELIMITER ',' COLUMNS (a INT)
-- error SYNTAX 61: a delimiter must not be empty
CREATE INPUT s FROM STREAM "clicks" FORMAT CSV ROW DELIMITER '' COLUMNS (a INT)
-- error SYNTAX 65: repeated ROW DELIMITER option
CREATE INPUT s FROM STREAM "clicks" FORMAT CSV ROW DELIMITER ';' ROW DELIMITER '\n' COLUMNS (a INT)
-- error SYNTAX 76: unknown starting position "LATER"
CREATE INPUT s FROM STREAM "clicks" FORMAT JSON COLUMNS (a INT) STARTING AT LATER
-- error SYNTAX 76: STARTING AT needs a TIMESTAMP literal
CREATE INPUT s FROM STREAM "clicks" FORMAT JSON COLUMNS (a INT) STARTING AT DATE '2024-01-01'
-- error SYNTAX 57: syntax error at or near ")"
CREATE INPUT s FROM STREAM "clicks" FORMAT JSON COLUMNS ()
-- error SYNTAX 13: an input name prefix has at most 32 characters
CREATE INPUT "SOURCE_SQL_STREAM_WITH_A_VERY_LONG_PREFIX" FROM STREAM "clicks" FORMAT JSON COLUMNS (a INT)
-- error SYNTAX 65: ROW PATH applies to inputs only
CREATE OUTPUT o FROM "DESTINATION_SQL_STREAM" TO STREAM "alerts" FORMAT JSON ROW PATH '$'
-- error SYNTAX 54: syntax error at end of input
CREATE REFERENCE TABLE t FROM FILE 'x.csv' FORMAT JSON
-- error UNSUPPORTED 0: DROP is not supported in the KDA dialect
DROP STREAM s
-- error UNSUPPORTED 0: DROP is not supported in the KDA dialect
DROP PUMP "STREAM_PUMP"
-- error UNSUPPORTED 0: ALTER is not supported in the KDA dialect
ALTER PUMP p STOP
-- error UNSUPPORTED 0: DELETE is not supported in the KDA dialect
DELETE FROM s WHERE a = 1
-- error UNSUPPORTED 0: UPDATE is not supported in the KDA dialect
UPDATE s SET a = 1
-- error UNSUPPORTED 0: MERGE is not supported in the KDA dialect
MERGE INTO s USING t ON s.a = t.a
-- error UNSUPPORTED 0: GRANT is not supported in the KDA dialect
GRANT SELECT ON s TO bob
-- error UNSUPPORTED 0: REVOKE is not supported in the KDA dialect
REVOKE SELECT ON s FROM bob
-- error UNSUPPORTED 0: TRUNCATE is not supported in the KDA dialect
TRUNCATE s
-- error UNSUPPORTED 0: SET is not supported in the KDA dialect
SET SCHEMA 'x'
-- error UNSUPPORTED 0: COMMIT is not supported in the KDA dialect
COMMIT
-- error UNSUPPORTED 0: ROLLBACK is not supported in the KDA dialect
ROLLBACK
-- error UNSUPPORTED 0: CALL is not supported in the KDA dialect
CALL p()
-- error UNSUPPORTED 7: CREATE VIEW is not supported in the KDA dialect
CREATE VIEW v AS SELECT STREAM a FROM s
-- error UNSUPPORTED 18: CREATE VIEW is not supported in the KDA dialect
CREATE OR REPLACE VIEW v AS SELECT STREAM a FROM s
-- error UNSUPPORTED 7: CREATE TABLE is not supported in the KDA dialect
CREATE TABLE t (a INT)
-- error UNSUPPORTED 7: CREATE INDEX is not supported in the KDA dialect
CREATE INDEX i ON t (a)
-- error UNSUPPORTED 7: CREATE SCHEMA is not supported in the KDA dialect
CREATE SCHEMA x
-- error UNSUPPORTED 7: CREATE TRIGGER is not supported in the KDA dialect
CREATE TRIGGER tr AFTER INSERT ON t
-- error UNSUPPORTED 7: CREATE PROCEDURE is not supported in the KDA dialect
CREATE PROCEDURE p()
-- error UNSUPPORTED 7: CREATE FOREIGN STREAM is an s-Server feature that is not supported in the KDA dialect
CREATE FOREIGN STREAM fs (a INT) SERVER x
-- error UNSUPPORTED 7: CREATE SERVER is an s-Server feature that is not supported in the KDA dialect
CREATE SERVER x TYPE 'y'
-- error UNSUPPORTED 7: CREATE JAR is an s-Server feature that is not supported in the KDA dialect
CREATE JAR j LIBRARY 'x.jar'
-- error UNSUPPORTED 24: OPTIONS is an s-Server feature that is not supported in the KDA dialect
CREATE STREAM s (a INT) OPTIONS (x 'y')
-- error UNSUPPORTED 40: OPTIONS is an s-Server feature that is not supported in the KDA dialect
CREATE STREAM s (a INT) DESCRIPTION 'd' OPTIONS (x 'y')
-- error UNSUPPORTED 27: RENAME is an s-Server feature that is not supported in the KDA dialect
CREATE OR REPLACE STREAM s RENAME (a INT)
-- error UNSUPPORTED 24: PRIMARY KEY is not supported in the KDA dialect
CREATE STREAM s (a INT, PRIMARY KEY (a))
-- error UNSUPPORTED 24: CONSTRAINT is not supported in the KDA dialect
CREATE STREAM s (a INT, CONSTRAINT c CHECK (a > 0))
-- error UNSUPPORTED 24: UNIQUE is not supported in the KDA dialect
CREATE STREAM s (a INT, UNIQUE (a))
-- error UNSUPPORTED 23: LIMIT is not supported in the KDA dialect
SELECT STREAM a FROM s LIMIT 10
-- error UNSUPPORTED 40: OFFSET is not supported in the KDA dialect
SELECT STREAM a FROM s ORDER BY ROWTIME OFFSET 3 ROWS
-- error UNSUPPORTED 23: FETCH is not supported in the KDA dialect
SELECT STREAM a FROM s FETCH FIRST 1 ROWS ONLY
-- error UNSUPPORTED 42: ROLLUP is not supported in the KDA dialect
SELECT STREAM a, COUNT(*) FROM s GROUP BY ROLLUP(a)
-- error UNSUPPORTED 42: CUBE is not supported in the KDA dialect
SELECT STREAM a, COUNT(*) FROM s GROUP BY CUBE(a)
-- error UNSUPPORTED 42: GROUPING SETS is not supported in the KDA dialect
SELECT STREAM a, COUNT(*) FROM s GROUP BY GROUPING SETS ((a))
-- error UNSUPPORTED 23: FILTER is not supported in the KDA dialect
SELECT STREAM COUNT(x) FILTER (WHERE a > 1) OVER w FROM s
-- error UNSUPPORTED 23: MATCH_RECOGNIZE is not supported in the KDA dialect
SELECT STREAM a FROM s MATCH_RECOGNIZE (PATTERN (x))
-- error SYNTAX 17: invalid Unicode escape: \ must be followed by 4 hexadecimal digits, + and 6 hexadecimal digits, or \
SELECT STREAM U&'\00' FROM s
-- error SYNTAX 17: invalid hexadecimal digit in binary literal
SELECT STREAM X'0G' FROM s
-- error SYNTAX 14: unexpected character "#"
SELECT STREAM # FROM s
-- error SYNTAX 14: zero-length delimited identifier
SELECT STREAM "" FROM s
-- error SYNTAX 0: syntax error at or near "WITH"
WITH x AS (SELECT 1) SELECT * FROM x
