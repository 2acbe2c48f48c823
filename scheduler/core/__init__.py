"""What every quantsweep process shares: the error tree and the console runner, settings, queue
names and Redis keys, the broker's layout and the task message. Imports nothing else of the scheduler."""
