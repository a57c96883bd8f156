-- documents.sql - data of the search scenario H of tests/bench/run.sh, loaded
-- after seed-demo: 100,000 documents of the reserved area with Italian
-- titles, descriptions and tags drawn from word lists, in 12 folders.
--
-- The draws are repeatable (setseed) and skewed: the first entries of the
-- topic list are common and the last rare, so that the queries of H range
-- from "servizi" (most documents) through "ludopatia" (about 1%) to
-- "zooterapia" (about 0.05%, a phrase added to few descriptions).
-- Visibility: 35% public, 45% members, 20% restricted, the restricted ones
-- to a role (some to the operatore's) and/or to an organisation (some to
-- the operatore's Municipio I or to Roma Capitale above it), so that every
-- branch of the visibility test (DOC_VISIBLE in content/document_db.c) runs.  Every document has one version, all
-- pointing at ONE small shared blob.  The search column is filled by the
-- documents_search trigger on insert.
\set ON_ERROR_STOP on
BEGIN;
DO $$ BEGIN PERFORM setseed(0.4242); END $$;

INSERT INTO orgs (name, kind) VALUES
	('Comune di Latina', 'comune'), ('Comune di Viterbo', 'comune'),
	('Comune di Rieti', 'comune'), ('Ambito sociale LT 1', 'ambito');

-- The shared file: 1 KiB beginning like a PDF.
CREATE TEMP TABLE bench_blob AS
SELECT convert_to('%PDF-1.4' || E'\n' || repeat('%', 1015), 'UTF8') AS data;
INSERT INTO blobs (sha256, size) SELECT sha256(data), octet_length(data) FROM bench_blob;
INSERT INTO blob_chunks (blob_id, seq, data)
SELECT b.id, 0, t.data FROM blobs b, bench_blob t WHERE b.sha256 = sha256(t.data);

INSERT INTO document_folders (name)
SELECT f FROM unnest(ARRAY['Modulistica', 'Normativa', 'Linee guida', 'Verbali', 'Formazione',
	'Progetti', 'Monitoraggio', 'Comunicazione', 'Convenzioni', 'Report annuali',
	'Procedure operative', 'Archivio storico']) f;

-- One row of draws per document, evaluated once (MATERIALIZED) so that the
-- columns built from the same draw agree.
CREATE TEMP TABLE bench_docs AS
WITH w AS (
	SELECT
	ARRAY['Linee guida', 'Circolare', 'Modulo di domanda', 'Vademecum', 'Verbale della riunione',
	      'Delibera', 'Manuale operativo', 'Scheda informativa', 'Regolamento', 'Presentazione',
	      'Relazione annuale', 'Protocollo d''intesa', 'Avviso pubblico', 'Convenzione',
	      'Piano di zona', 'Carta dei servizi'] AS kinds,
	-- common first, rare last
	ARRAY['servizi sociali', 'presa in carico', 'inclusione sociale', 'formazione degli operatori',
	      'assegno di inclusione', 'tutela dei minori', 'politiche attive del lavoro',
	      'sostegno alle famiglie', 'disabilità', 'non autosufficienza', 'violenza di genere',
	      'povertà educativa', 'housing sociale', 'mediazione culturale', 'salute mentale',
	      'affido familiare', 'invecchiamento attivo', 'dispersione scolastica',
	      'persone senza dimora', 'caregiver familiari', 'amministrazione di sostegno',
	      'minori stranieri non accompagnati', 'agricoltura sociale', 'ludopatia'] AS topics,
	ARRAY['Municipio I', 'Municipio II', 'Municipio III', 'Municipio V', 'Municipio VII',
	      'Municipio X', 'Municipio XIV', 'Comune di Latina', 'Comune di Viterbo', 'Comune di Rieti',
	      'Ambito sociale LT 1', 'Distretto socio-sanitario RM 5.1', 'Regione Lazio'] AS places,
	ARRAY['modulistica', 'normativa', 'formazione', 'buone pratiche', 'procedure', 'verbali',
	      'report', 'minori', 'famiglie', 'anziani', 'disabilità', 'lavoro', 'casa', 'salute',
	      'scuola', 'migranti', 'PNRR', 'progettazione', 'monitoraggio', 'privacy'] AS tags,
	ARRAY['Contiene le indicazioni operative per la gestione dei casi e la modulistica aggiornata.',
	      'Destinatari: operatori sociali, referenti di ambito e coordinatori dei servizi.',
	      'Sintesi degli incontri del gruppo di lavoro e delle buone pratiche emerse.',
	      'Il testo raccoglie i riferimenti normativi nazionali e regionali in vigore.',
	      'Sono descritte le attività di monitoraggio e gli indicatori di risultato.',
	      'Allegati: fac-simile di domanda, informativa sul trattamento dei dati, checklist.',
	      'Il documento è stato condiviso con la rete territoriale e con il terzo settore.',
	      'Per informazioni rivolgersi allo sportello del segretariato sociale.'] AS sentences
), r AS MATERIALIZED (
	SELECT g, random() AS r_kind, random() AS r_topic, random() AS r_topic2, random() AS r_place,
	       random() AS r_year, random() AS r_s1, random() AS r_s2, random() AS r_tag1,
	       random() AS r_tag2, random() AS r_vis, random() AS r_role, random() AS r_org,
	       random() AS r_rare, random() AS r_age, random() AS r_folder, random() AS r_num, random() AS r_open
	FROM generate_series(1, 100000) g
)
SELECT r.g,
	w.kinds[1 + floor(r.r_kind * 16)::int] || ' – ' ||
	w.topics[1 + floor(24 * r.r_topic ^ 2.5)::int] || ' – ' ||
	w.places[1 + floor(r.r_place * 13)::int] || ' ' || (2015 + floor(r.r_year * 11)::int) AS title,
	(ARRAY['Il documento descrive le attività di ', 'Materiale di lavoro su ',
	       'Indicazioni per gli operatori sul tema: '])[1 + floor(r.r_open * 3)::int] || w.topics[1 + floor(24 * r.r_topic2 ^ 2)::int] ||
	' svolte dagli operatori del territorio (' || w.places[1 + floor(r.r_place * 13)::int] ||
	'). ' || w.sentences[1 + floor(r.r_s1 * 8)::int] || ' ' ||
	w.sentences[1 + floor(r.r_s2 * 8)::int] ||
	CASE WHEN r.r_num < 0.3 THEN ' Approvato con delibera n. ' || (1 + floor(r.r_num * 1000)::int) ||
	     ' del ' || (2015 + floor(r.r_year * 11)::int) || '.' ELSE '' END ||
	CASE WHEN r.r_rare < 0.0005 THEN ' Caso di studio: un progetto di zooterapia nelle residenze per anziani.'
	     ELSE '' END AS description,
	CASE WHEN floor(r.r_tag1 * 20) = floor(r.r_tag2 * 20)
	     THEN ARRAY[w.tags[1 + floor(r.r_tag1 * 20)::int]]
	     ELSE ARRAY[w.tags[1 + floor(r.r_tag1 * 20)::int], w.tags[1 + floor(r.r_tag2 * 20)::int]]
	END AS tags,
	CASE WHEN r.r_vis < 0.35 THEN 'public' WHEN r.r_vis < 0.80 THEN 'members' ELSE 'restricted' END
		AS visibility,
	CASE WHEN r.r_vis < 0.80 OR r.r_role < 0.4 THEN '{}'::text[]
	     WHEN r.r_role < 0.55 THEN '{operatore}'
	     WHEN r.r_role < 0.80 THEN '{referente}'
	     ELSE '{tutor,referente}' END AS roles,
	-- restricted, no role: an organisation (the first two are the
	-- operatore's Municipio I and Roma Capitale above it)
	CASE WHEN r.r_vis < 0.80 OR r.r_role >= 0.4 THEN NULL
	     ELSE (ARRAY['Municipio I', 'Roma Capitale', 'Comune di Latina', 'Comune di Viterbo',
	                 'Comune di Rieti', 'Ambito sociale LT 1'])[1 + floor(r.r_org * 6)::int] END
		AS org,
	now() - r.r_age * interval '1825 days' AS at,
	1 + floor(r.r_folder * 12)::int AS folder
FROM r, w;

CREATE TEMP TABLE bench_first AS SELECT coalesce(max(id), 0) AS id FROM documents;

INSERT INTO documents (folder_id, title, description, description_html, tags, visibility, roles,
                       created_by, created_at, updated_at)
SELECT f.id, d.title, d.description, '<p>' || d.description || '</p>', d.tags, d.visibility,
       d.roles, u.id, d.at, d.at
FROM bench_docs d
JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM document_folders
      WHERE parent_id IS NULL AND role IS NULL) f ON f.n = d.folder,
     users u
WHERE u.email = 'formatore@demo.sigess.example'
ORDER BY d.g;

-- The new documents got their ids in the order of g: the n-th is g = n.
CREATE TEMP TABLE bench_ids AS
SELECT id, row_number() OVER (ORDER BY id) AS g
FROM documents WHERE id > (SELECT id FROM bench_first);

INSERT INTO document_orgs (document_id, org_id)
SELECT i.id, o.id FROM bench_docs d JOIN bench_ids i ON i.g = d.g
JOIN orgs o ON o.name = d.org
WHERE d.org IS NOT NULL;

INSERT INTO document_versions (document_id, n, blob_id, filename, type, size, created_by,
                               created_at, text_status)
SELECT i.id, 1, b.id, 'documento-' || i.id || '.pdf', 'application/pdf', b.size, d.created_by,
       d.created_at, 'none'
FROM bench_ids i JOIN documents d ON d.id = i.id, blobs b, bench_blob t
WHERE b.sha256 = sha256(t.data);
COMMIT;
ANALYZE;
