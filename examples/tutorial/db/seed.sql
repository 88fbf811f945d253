-- Five baseline users. Every sandbox branch starts with exactly these.
INSERT INTO users (name, email) VALUES
    ('Ada Lovelace',     'ada@example.com'),
    ('Grace Hopper',     'grace@example.com'),
    ('Edsger Dijkstra',  'edsger@example.com'),
    ('Barbara Liskov',   'barbara@example.com'),
    ('Donald Knuth',     'donald@example.com')
ON CONFLICT (email) DO NOTHING;
