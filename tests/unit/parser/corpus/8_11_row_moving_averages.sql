-- spec 8.11 Row-based moving averages (2 vs 10 rows)
SELECT STREAM ticker_symbol, price, AVG(price) OVER last2rows, AVG(price) OVER last10rows
FROM SOURCE_SQL_STREAM_001
WINDOW last2rows AS (PARTITION BY ticker_symbol ROWS 2 PRECEDING),
       last10rows AS (PARTITION BY ticker_symbol ROWS 10 PRECEDING);
