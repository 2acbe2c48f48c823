package orderfsm

import "errors"

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

func (e *TransitionError) Error() string {
	return "cannot " + string(e.Event) + " a " + string(e.From) + " order"
}

// Unwrap lets errors.Is find ErrInvalidTransition.
func (e *TransitionError) Unwrap() error { return ErrInvalidTransition }

// Order keeps the current state apart from the list of past states.
type Order struct {
	state State
	past  []State
}

// New returns an order in state Created.
func New() *Order { return &Order{state: Created} }

// State returns the current state.
func (o *Order) State() State { return o.state }

// next decides a transition with a switch on the state, then on the event.
func next(s State, e Event) (State, bool) {
	switch s {
	case Created:
		switch e {
		case Pay:
			return Paid, true
		case Cancel:
			return Cancelled, true
		}
	case Paid:
		switch e {
		case Ship:
			return Shipped, true
		case Cancel:
			return Refunded, true
		}
	case Shipped:
		if e == Deliver {
			return Delivered, true
		}
	case Delivered:
		if e == Return {
			return Refunded, true
		}
	}
	return "", false
}

// Fire applies an event, or returns a *TransitionError and changes nothing.
func (o *Order) Fire(e Event) error {
	to, ok := next(o.state, e)
	if !ok {
		return &TransitionError{From: o.state, Event: e}
	}
	o.past = append(o.past, o.state)
	o.state = to
	return nil
}

// History returns the past states and the current one, oldest first, in a new slice.
func (o *Order) History() []State {
	out := make([]State, 0, len(o.past)+1)
	return append(append(out, o.past...), o.state)
}
