-- The ids of an organisation and of every organisation under it: the one
-- definition of "an organisation's people" for referents' views and for
-- enrolling an organisation.  UNION, not UNION ALL, so that a cycle made
-- by hand in the table ends instead of looping.  NULL gives no rows.
CREATE FUNCTION org_subtree(root bigint) RETURNS SETOF bigint
LANGUAGE sql STABLE AS $$
	WITH RECURSIVE t (id) AS (
		SELECT id FROM orgs WHERE id = root
		UNION
		SELECT o.id FROM orgs o JOIN t ON o.parent_id = t.id)
	SELECT id FROM t
$$;
