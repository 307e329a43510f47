"""The funnel in numbers and pictures: periods, the funnel report and its chart."""
