"""Statistics of runs: intervals, paired comparisons, per model-exam summaries. No rendering."""
