-- A version number per course that changes whenever anything its outline
-- shows changes (the course, its modules, lessons or materials), so that
-- the portal keeps outlines in memory and checks them with one indexed
-- read (courses/course_cache.c).  Triggers keep it: no write path can
-- forget to.
--
-- The versions live in a table of their own and the triggers are
-- deferred to commit: authoring transactions lock course, module and
-- lesson rows in different orders, and a bump taken mid-transaction on
-- the course row would deadlock a lesson move against a module move.  At
-- commit a transaction waits for nothing else.  The bump commits with the
-- change it records, so a reader never sees new content under an old
-- version for long: at worst it reloads once more.

CREATE TABLE course_outline_versions (
	course_id bigint PRIMARY KEY REFERENCES courses (id) ON DELETE CASCADE,
	version   bigint NOT NULL DEFAULT 1
);
INSERT INTO course_outline_versions (course_id) SELECT id FROM courses;

CREATE FUNCTION course_outline_bump(course bigint) RETURNS void LANGUAGE sql AS $$
	INSERT INTO course_outline_versions AS v (course_id) SELECT id FROM courses WHERE id = course
	ON CONFLICT (course_id) DO UPDATE SET version = v.version + 1
$$;

CREATE FUNCTION courses_outline_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM course_outline_bump(NEW.id);
	RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER courses_outline_touch AFTER INSERT OR UPDATE ON courses
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION courses_outline_touch();

-- The course of a changed module row (old and new).
CREATE FUNCTION modules_outline_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN PERFORM course_outline_bump(OLD.course_id); END IF;
	IF TG_OP <> 'DELETE' THEN PERFORM course_outline_bump(NEW.course_id); END IF;
	RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER modules_outline_touch AFTER INSERT OR UPDATE OR DELETE ON modules
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION modules_outline_touch();

-- The course of the module of a changed lesson or material row.
CREATE FUNCTION module_child_outline_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM course_outline_bump(m.course_id) FROM modules m
	WHERE m.id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.module_id END,
	               CASE WHEN TG_OP <> 'DELETE' THEN NEW.module_id END);
	RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER lessons_outline_touch AFTER INSERT OR UPDATE OR DELETE ON lessons
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION module_child_outline_touch();
CREATE CONSTRAINT TRIGGER module_materials_outline_touch AFTER INSERT OR UPDATE OR DELETE ON module_materials
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION module_child_outline_touch();
