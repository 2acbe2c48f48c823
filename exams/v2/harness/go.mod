module quantsweep.local/v2harness

go 1.22
