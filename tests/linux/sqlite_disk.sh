# Debian's sqlite3 on the persistent disk (/data: docs/linux-server.md).  Phase "make": a
# database of 10,000 rows made in one transaction, with an index, updates and deletes; phase
# "read": read back with joins and aggregates, checked and dumped.  With no argument, both.
# tests/target/test_disk.py runs the phases with a power cut (a reset of the board) between
# them: what our server reads after it must be what real Linux reads without one.
phase=${1:-both}
mkdir -p /data/shop && cd /data/shop || exit 1
if [ "$phase" != read ]; then
    rm -f shop.db shop.db-journal
    # EXTRA: sqlite also syncs the directory once a commit deleted its journal, so a commit is
    # durable when it returns (with FULL, a power cut may bring the journal back, and with it
    # a rollback of the last transaction: on Linux as here)
    sqlite3 shop.db <<'SQL'
PRAGMA synchronous=EXTRA;
CREATE TABLE customer(id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT);
CREATE TABLE item(id INTEGER PRIMARY KEY, customer INTEGER REFERENCES customer(id), sku TEXT, qty INTEGER, price REAL);
BEGIN;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100)
INSERT INTO customer SELECT x, 'customer' || x, CASE x % 4 WHEN 0 THEN 'Seoul' WHEN 1 THEN 'Busan' WHEN 2 THEN 'Daegu' ELSE 'Incheon' END FROM n;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10000)
INSERT INTO item SELECT x, 1 + (x * 7919) % 100, 'sku-' || (x % 37), 1 + x % 5, round(0.5 + (x % 200) * 1.25, 2) FROM n;
COMMIT;
CREATE INDEX item_customer ON item(customer);
UPDATE item SET price = price * 2 WHERE customer = 1;
DELETE FROM item WHERE qty = 5;
SELECT changes(), total_changes() > 0;
SQL
    echo "made: sqlite3 exit $?"
fi
if [ "$phase" != make ]; then
    ls -l shop.db | awk '{print $1, ($5 > 100000 ? "over 100 KB" : "small")}'
    ls -a
    sqlite3 shop.db <<'SQL'
PRAGMA integrity_check;
SELECT count(*), sum(qty), printf('%.2f', sum(qty * price)) FROM item;
SELECT c.city, count(DISTINCT c.id), count(i.id), printf('%.2f', avg(i.price)) FROM customer c JOIN item i ON i.customer = c.id GROUP BY c.city ORDER BY c.city;
SELECT c.name, sum(i.qty) AS units FROM customer c JOIN item i ON i.customer = c.id GROUP BY c.id ORDER BY units DESC, c.name LIMIT 3;
SELECT sku, count(*) FROM item WHERE sku IN ('sku-0', 'sku-36') GROUP BY sku;
SQL
    sqlite3 shop.db .dump | md5sum
fi
