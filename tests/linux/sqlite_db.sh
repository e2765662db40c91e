# Debian's sqlite3 (the command-line shell, dynamically linked against libsqlite3, readline and
# zlib) making a database file: 10,000 rows inserted in one transaction, an index, joins and
# aggregates, updates and deletes, the file read again by another process, its integrity and
# a dump.
cd /tmp && rm -f shop.db shop.db-journal
sqlite3 shop.db <<'SQL'
CREATE TABLE customer(id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT);
CREATE TABLE item(id INTEGER PRIMARY KEY, customer INTEGER REFERENCES customer(id), sku TEXT, qty INTEGER, price REAL);
BEGIN;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100)
INSERT INTO customer SELECT x, 'customer' || x, CASE x % 4 WHEN 0 THEN 'Seoul' WHEN 1 THEN 'Busan' WHEN 2 THEN 'Daegu' ELSE 'Incheon' END FROM n;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10000)
INSERT INTO item SELECT x, 1 + (x * 7919) % 100, 'sku-' || (x % 37), 1 + x % 5, round(0.5 + (x % 200) * 1.25, 2) FROM n;
COMMIT;
CREATE INDEX item_customer ON item(customer);
SELECT count(*), sum(qty), printf('%.2f', sum(qty * price)) FROM item;
SELECT c.city, count(DISTINCT c.id), count(i.id), printf('%.2f', avg(i.price)) FROM customer c JOIN item i ON i.customer = c.id GROUP BY c.city ORDER BY c.city;
SELECT c.name, sum(i.qty) AS units FROM customer c JOIN item i ON i.customer = c.id GROUP BY c.id ORDER BY units DESC, c.name LIMIT 3;
SELECT sku, count(*) FROM item WHERE sku IN ('sku-0', 'sku-36') GROUP BY sku;
UPDATE item SET price = price * 2 WHERE customer = 1;
DELETE FROM item WHERE qty = 5;
SELECT changes(), total_changes() > 0;
SQL
echo "sqlite3 exit $?"
ls -l shop.db | awk '{print $1, ($5 > 100000 ? "over 100 KB" : "small")}'
sqlite3 shop.db 'SELECT count(*), max(id) FROM item; PRAGMA integrity_check; PRAGMA journal_mode;'
sqlite3 -csv -header shop.db 'SELECT id, name, city FROM customer WHERE id <= 3'
sqlite3 shop.db .dump | head -4
sqlite3 shop.db 'SELECT * FROM nosuchtable' 2>&1; echo "error exit $?"
