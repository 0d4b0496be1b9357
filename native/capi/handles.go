package main

import (
	"fmt"
	"runtime/cgo"

	"github.com/zkml-service/zkml/native/zk"
)

// newHandle registers a Go value and returns its handle (never 0).
func newHandle(v any) uint64 { return uint64(cgo.NewHandle(v)) }

// value returns the value behind a handle. A freed, unknown or zero handle is an
// UnknownHandle error (cgo.Handle.Value panics on those; the panic is recovered here).
func value(h uint64) (v any, err error) {
	if h == 0 {
		return nil, zk.Errorf(zk.UnknownHandle, "handle 0 is never valid")
	}
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, zk.Errorf(zk.UnknownHandle, "unknown or freed handle %d", h)
		}
	}()
	return cgo.Handle(h).Value(), nil
}

func typed[T any](h uint64, what string) (T, error) {
	var zero T
	v, err := value(h)
	if err != nil {
		return zero, err
	}
	t, ok := v.(T)
	if !ok {
		return zero, zk.Errorf(zk.UnknownHandle, "handle %d is a %s, not a %s", h, kindOf(v), what)
	}
	return t, nil
}

func kindOf(v any) string {
	switch v.(type) {
	case *zk.Circuit:
		return "constraint system"
	case *zk.ProvingKey:
		return "proving key"
	case *zk.VerifyingKey:
		return "verifying key"
	}
	return fmt.Sprintf("%T", v)
}

// freeHandle deletes a handle. Freeing twice is an UnknownHandle error.
func freeHandle(h uint64) (err error) {
	if _, err := value(h); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = zk.Errorf(zk.UnknownHandle, "unknown or freed handle %d", h)
		}
	}()
	cgo.Handle(h).Delete()
	return nil
}
