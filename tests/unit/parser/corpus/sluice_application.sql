-- A whole application as one .sql file: sluice's statements for what KDA configured through its
-- API (input, reference data, output), then the application code of spec 8.19.
CREATE INPUT "SOURCE_SQL_STREAM" FROM STREAM "ticker-stream" PARALLELISM 1
  FORMAT JSON ROW PATH '$'
  COLUMNS (TICKER_SYMBOL VARCHAR(4) PATH '$.TICKER_SYMBOL', SECTOR VARCHAR(16) PATH '$.SECTOR',
           CHANGE REAL PATH '$.CHANGE', PRICE REAL PATH '$.PRICE')
  STARTING AT TRIM_HORIZON;

CREATE REFERENCE TABLE "CompanyName" FROM FILE 'TickerReference.csv'
  FORMAT CSV ROW DELIMITER '\n' COLUMN DELIMITER ','
  COLUMNS ("Ticker" VARCHAR(4), "Company" VARCHAR(20));

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), "Company" VARCHAR(20), sector VARCHAR(12), change DOUBLE, price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker_symbol, "c"."Company", sector, change, price
  FROM "SOURCE_SQL_STREAM_001" LEFT JOIN "CompanyName" AS "c" ON "SOURCE_SQL_STREAM_001".ticker_symbol = "c"."Ticker";

CREATE OUTPUT "enriched" FROM "DESTINATION_SQL_STREAM" TO STREAM "enriched-tickers" FORMAT JSON;
CREATE OUTPUT "errors" FROM "error_stream" TO STREAM "app-errors" FORMAT CSV;

EXPLAIN CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker_symbol, NULL, sector, change, price FROM "SOURCE_SQL_STREAM_001";
