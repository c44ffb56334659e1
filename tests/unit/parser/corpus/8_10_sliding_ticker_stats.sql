-- spec 8.10 Sliding 1-minute per-ticker stats and its variants
SELECT STREAM ticker_symbol, MIN(Price) OVER W1 AS Min_Price, MAX(Price) OVER W1 AS Max_Price, AVG(Price) OVER W1 AS Avg_Price
FROM "SOURCE_SQL_STREAM_001" WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING);
SELECT STREAM ticker_symbol, AVG(Change / (Price - Change)) OVER (PARTITION BY ticker_symbol RANGE INTERVAL '10' SECOND PRECEDING) AS avg_change
FROM "SOURCE_SQL_STREAM_001";
SELECT STREAM ticker_symbol, AVG(price) OVER (PARTITION BY ticker_symbol RANGE INTERVAL '1' HOUR PRECEDING) AS avg_price
FROM "SOURCE_SQL_STREAM_001";
