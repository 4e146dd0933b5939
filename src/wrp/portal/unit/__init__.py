"""The unit portal: units and accounts, quota, employees, cases and standing documents of a unit handler."""
