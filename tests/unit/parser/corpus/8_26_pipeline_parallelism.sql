-- spec 8.26 Multi-step pipeline (a) and input parallelism (b)
CREATE OR REPLACE STREAM "IN_APP_STREAM_001" (ingest_time TIMESTAMP, ticker_symbol VARCHAR(4), sector VARCHAR(16), price REAL, change REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP_001" AS INSERT INTO "IN_APP_STREAM_001"
  SELECT STREAM APPROXIMATE_ARRIVAL_TIME, ticker_symbol, sector, price, change FROM "SOURCE_SQL_STREAM_001";
CREATE OR REPLACE STREAM "IN_APP_STREAM_02" (ingest_time TIMESTAMP, ticker_symbol VARCHAR(4), sector VARCHAR(16), price REAL, change REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP_02" AS INSERT INTO "IN_APP_STREAM_02"
  SELECT STREAM ingest_time, ticker_symbol, sector, price, change FROM "IN_APP_STREAM_001";
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ingest_time TIMESTAMP, ticker_symbol VARCHAR(4), sector VARCHAR(16), price REAL, change REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP_03" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ingest_time, ticker_symbol, sector, price, change FROM "IN_APP_STREAM_02";
CREATE OR REPLACE STREAM in_application_stream_001 (ticker VARCHAR(64), ticker_count INTEGER);
CREATE OR REPLACE PUMP pump_001 AS INSERT INTO in_application_stream_001
  SELECT STREAM ticker_symbol, COUNT(ticker_symbol) FROM source_sql_stream_001
  GROUP BY STEP(source_sql_stream_001.rowtime BY INTERVAL '60' SECOND), ticker_symbol;
CREATE OR REPLACE PUMP pump_002 AS INSERT INTO in_application_stream_001
  SELECT STREAM ticker_symbol, COUNT(ticker_symbol) FROM source_sql_stream_002
  GROUP BY STEP(source_sql_stream_002.rowtime BY INTERVAL '60' SECOND), ticker_symbol;
