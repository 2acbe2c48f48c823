package orderfsm_test

import (
	"errors"
	"reflect"
	"testing"

	"gotasks/orderfsm"
)

func fire(t *testing.T, o *orderfsm.Order, events ...orderfsm.Event) {
	t.Helper()
	for _, e := range events {
		if err := o.Fire(e); err != nil {
			t.Fatalf("Fire(%s) in a valid sequence: %v", e, err)
		}
	}
}

func TestHappyPath(t *testing.T) {
	o := orderfsm.New()
	if o.State() != orderfsm.Created {
		t.Fatalf("New().State() = %s", o.State())
	}
	fire(t, o, orderfsm.Pay, orderfsm.Ship, orderfsm.Deliver)
	want := []orderfsm.State{orderfsm.Created, orderfsm.Paid, orderfsm.Shipped, orderfsm.Delivered}
	if o.State() != orderfsm.Delivered || !reflect.DeepEqual(o.History(), want) {
		t.Errorf("after pay, ship, deliver: state %s, history %v", o.State(), o.History())
	}
}

func TestCancelAndRefund(t *testing.T) {
	for _, c := range []struct {
		events []orderfsm.Event
		want   orderfsm.State
	}{
		{[]orderfsm.Event{orderfsm.Cancel}, orderfsm.Cancelled},
		{[]orderfsm.Event{orderfsm.Pay, orderfsm.Cancel}, orderfsm.Refunded},
		{[]orderfsm.Event{orderfsm.Pay, orderfsm.Ship, orderfsm.Deliver, orderfsm.Return}, orderfsm.Refunded},
	} {
		o := orderfsm.New()
		fire(t, o, c.events...)
		if o.State() != c.want {
			t.Errorf("after %v: state %s, want %s", c.events, o.State(), c.want)
		}
	}
}

func TestRejected(t *testing.T) {
	for _, c := range []struct {
		before []orderfsm.Event
		event  orderfsm.Event
	}{
		{nil, orderfsm.Ship}, {nil, orderfsm.Return}, {nil, "teleport"},
		{[]orderfsm.Event{orderfsm.Pay}, orderfsm.Pay},
		{[]orderfsm.Event{orderfsm.Pay, orderfsm.Ship}, orderfsm.Cancel},
		{[]orderfsm.Event{orderfsm.Pay, orderfsm.Ship, orderfsm.Deliver}, orderfsm.Cancel},
		{[]orderfsm.Event{orderfsm.Cancel}, orderfsm.Pay},
		{[]orderfsm.Event{orderfsm.Cancel}, orderfsm.Cancel},
		{[]orderfsm.Event{orderfsm.Pay, orderfsm.Cancel}, orderfsm.Return},
	} {
		o := orderfsm.New()
		fire(t, o, c.before...)
		err := o.Fire(c.event)
		if !errors.Is(err, orderfsm.ErrInvalidTransition) {
			t.Errorf("after %v, Fire(%s) = %v, want an ErrInvalidTransition", c.before, c.event, err)
		}
	}
}

func TestTransitionError(t *testing.T) {
	o := orderfsm.New()
	err := o.Fire(orderfsm.Ship)
	var te *orderfsm.TransitionError
	if !errors.As(err, &te) || te.From != orderfsm.Created || te.Event != orderfsm.Ship {
		t.Fatalf("Fire(ship) on a new order = %#v, want a *TransitionError{created, ship}", err)
	}
	if got := err.Error(); got != "cannot ship a created order" {
		t.Errorf("Error() = %q, want %q", got, "cannot ship a created order")
	}
}

func TestRejectedLeavesOrder(t *testing.T) {
	o := orderfsm.New()
	fire(t, o, orderfsm.Pay)
	o.Fire(orderfsm.Deliver)
	o.Fire(orderfsm.Return)
	if o.State() != orderfsm.Paid {
		t.Errorf("rejected events changed the state to %s", o.State())
	}
	if h := o.History(); !reflect.DeepEqual(h, []orderfsm.State{orderfsm.Created, orderfsm.Paid}) {
		t.Errorf("rejected events changed the history: %v", h)
	}
}

func TestHistoryIsACopy(t *testing.T) {
	o := orderfsm.New()
	fire(t, o, orderfsm.Pay)
	h := o.History()
	h[0] = orderfsm.Refunded
	if o.History()[0] != orderfsm.Created {
		t.Errorf("changing History's result changed the order")
	}
}
