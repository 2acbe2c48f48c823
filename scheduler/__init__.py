"""quantsweep's control plane: sweep files, jobs, submission, status, reports, and the database.

`scheduler.core.settings`, `scheduler.db` and `scheduler.core.queues` are the public layer the workers share;
everything else here is internal to the control plane.
"""
