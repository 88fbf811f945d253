package main

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// user is one row of the users table as the API exposes it. updated_at is
// left out on purpose: the service never updates rows.
type user struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

// errDuplicateEmail is what a store returns when the email is already taken,
// so handlers can answer 409 without knowing about Postgres error codes.
var errDuplicateEmail = errors.New("email already exists")

// store is everything the handlers need from the database. It is an
// interface so the handlers can be tested without Postgres.
type store interface {
	List(ctx context.Context) ([]user, error)
	Create(ctx context.Context, name, email string) (user, error)
	Count(ctx context.Context) (int, error)
	Ping(ctx context.Context) error
	Database(ctx context.Context) (string, error)
}

// uniqueViolation is the SQLSTATE Postgres reports for a UNIQUE conflict.
const uniqueViolation = "23505"

// pgStore implements store on a pgx pool. The users table itself is created
// by the demo's schema.sql, not here.
type pgStore struct {
	pool *pgxpool.Pool
}

func (s pgStore) List(ctx context.Context) ([]user, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, email, created_at FROM users ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	users := []user{} // non-nil so an empty table encodes as [] rather than null
	for rows.Next() {
		var u user
		if err := rows.Scan(&u.ID, &u.Name, &u.Email, &u.CreatedAt); err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return users, rows.Err()
}

func (s pgStore) Create(ctx context.Context, name, email string) (user, error) {
	var u user
	err := s.pool.QueryRow(ctx,
		`INSERT INTO users (name, email) VALUES ($1, $2) RETURNING id, name, email, created_at`,
		name, email,
	).Scan(&u.ID, &u.Name, &u.Email, &u.CreatedAt)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == uniqueViolation {
		return user{}, errDuplicateEmail
	}
	return u, err
}

func (s pgStore) Count(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// Ping runs a real query rather than pool.Ping so /health proves the
// database answers SQL, not just that a connection could be opened.
func (s pgStore) Ping(ctx context.Context) error {
	var one int
	return s.pool.QueryRow(ctx, `SELECT 1`).Scan(&one)
}

func (s pgStore) Database(ctx context.Context) (string, error) {
	var name string
	err := s.pool.QueryRow(ctx, `SELECT current_database()`).Scan(&name)
	return name, err
}
