package orderfsm

import (
	"errors"
	"fmt"
)

// State is a state of an order.
type State string

// Event is something that happens to an order.
type Event string

// The states.
const (
	Created   State = "created"
	Paid      State = "paid"
	Shipped   State = "shipped"
	Delivered State = "delivered"
	Cancelled State = "cancelled"
	Refunded  State = "refunded"
)

// The events.
const (
	Pay     Event = "pay"
	Ship    Event = "ship"
	Deliver Event = "deliver"
	Cancel  Event = "cancel"
	Return  Event = "return"
)

// ErrInvalidTransition is wrapped by every error of Fire.
var ErrInvalidTransition = errors.New("invalid transition")

// TransitionError reports an event not allowed in the current state.
type TransitionError struct {
	From  State
	Event Event
}

func (e *TransitionError) Error() string { return fmt.Sprintf("cannot %s a %s order", e.Event, e.From) }

// Unwrap lets errors.Is find ErrInvalidTransition.
func (e *TransitionError) Unwrap() error { return ErrInvalidTransition }

type key struct {
	from  State
	event Event
}

var transitions = map[key]State{
	{Created, Pay}:      Paid,
	{Paid, Ship}:        Shipped,
	{Shipped, Deliver}:  Delivered,
	{Created, Cancel}:   Cancelled,
	{Paid, Cancel}:      Refunded,
	{Delivered, Return}: Refunded,
}

// Order is one order's state and history.
type Order struct {
	history []State
}

// New returns an order in state Created.
func New() *Order { return &Order{history: []State{Created}} }

// State returns the current state.
func (o *Order) State() State { return o.history[len(o.history)-1] }

// Fire applies an event, or returns a *TransitionError and changes nothing.
func (o *Order) Fire(e Event) error {
	from := o.State()
	next, ok := transitions[key{from, e}]
	o.history = append(o.history, next)
	if !ok {
		o.history[len(o.history)-1] = from
		return &TransitionError{From: from, Event: e}
	}
	return nil
}

// History returns a copy of the states so far, oldest first.
func (o *Order) History() []State { return append([]State(nil), o.history...) }
