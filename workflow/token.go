package workflow

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/wangge-dev/wangge/data"
)

// TokenPrefix starts every plaintext token, so that leaked tokens are easy to spot.
const TokenPrefix = "wg_"

// HashToken is the SHA-256 hex of a plaintext token: what the store keeps.
func HashToken(plaintext string) string {
	sum := sha256.Sum256([]byte(plaintext))
	return hex.EncodeToString(sum[:])
}

// IssueToken creates an API token for a person: 32 random bytes, returned
// once as plaintext ("wg_" + unpadded base64url); only its SHA-256 hex is
// stored. An unknown person is data.ErrNotFound.
func (s *Service) IssueToken(ctx context.Context, personID int64, label string) (string, error) {
	if _, err := s.store.GetPerson(ctx, personID); err != nil {
		return "", err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	tok := TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	if err := s.store.PutToken(ctx, personID, HashToken(tok), label); err != nil {
		return "", err
	}
	return tok, nil
}

// Authenticate returns the person owning a token. bearer may carry the
// "Bearer " prefix of an Authorization header. An empty or unknown token is
// ErrUnauthenticated.
func (s *Service) Authenticate(ctx context.Context, bearer string) (*data.Person, error) {
	tok := strings.TrimSpace(bearer)
	if len(tok) > 7 && strings.EqualFold(tok[:7], "bearer ") {
		tok = strings.TrimSpace(tok[7:])
	}
	if tok == "" {
		return nil, ErrUnauthenticated
	}
	p, err := s.store.PersonByToken(ctx, HashToken(tok))
	if err != nil {
		if errors.Is(err, data.ErrNotFound) {
			return nil, ErrUnauthenticated
		}
		return nil, err
	}
	return &p, nil
}
