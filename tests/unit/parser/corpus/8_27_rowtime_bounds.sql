-- spec 8.27 Windowed aggregation with rowtime bounds (s-Server example)
SELECT STREAM ROWTIME, ticker, amount, SUM(amount) OVER (PARTITION BY ticker RANGE INTERVAL '1' HOUR PRECEDING) AS hourlyVolume FROM Trades;
