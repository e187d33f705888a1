"""人员与派驻: the county admin's roster of people, their postings, roles and accounts."""
