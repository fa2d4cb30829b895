-- A database as `survey init` made it before there were migrations (Base.metadata.create_all),
-- kept to prove that `survey init` / `survey db upgrade` recognise such a database, stamp it
-- as revision 0001 and upgrade it without losing a row (tests/test_migrations.py).
--
-- Made once, on 2026-11-25, by the code of commit 2917234 (the last without Alembic):
-- create_all, the questionnaires/ folder loaded, then 2 förbund, 2 rounds (one open, one
-- closed), 6 invitations whose tokens are the hashes of "legacy-used", "legacy-used-2",
-- "legacy-draft" (an answer in progress), "legacy-unused", "legacy-shared" and
-- "legacy-2025", 4 responses (one in progress), 130 answers (some "vet ej" = NULL, some
-- skipped) and 1 comment.
-- Never regenerate it with newer code: it stands for the databases made by the old code.
-- Dumped with: pg_dump --no-owner --no-privileges --inserts --no-comments (PostgreSQL 15),
-- its psql-only \restrict/\unrestrict lines removed so a driver can run it.

--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: agency_type; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agency_type (
    code character varying(40) NOT NULL,
    name_sv character varying(200) NOT NULL,
    name_en character varying(200) NOT NULL
);


--
-- Name: answer; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.answer (
    id integer NOT NULL,
    response_id integer NOT NULL,
    item_id integer NOT NULL,
    value integer,
    CONSTRAINT answer_value CHECK (((value IS NULL) OR ((value >= 1) AND (value <= 5))))
);


--
-- Name: answer_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.answer_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: answer_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.answer_id_seq OWNED BY public.answer.id;


--
-- Name: association; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.association (
    id integer NOT NULL,
    slug character varying(80) NOT NULL,
    name character varying(200) NOT NULL,
    is_demo boolean NOT NULL
);


--
-- Name: association_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.association_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: association_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.association_id_seq OWNED BY public.association.id;


--
-- Name: comment; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.comment (
    id integer NOT NULL,
    response_id integer NOT NULL,
    dimension_id integer NOT NULL,
    text text NOT NULL
);


--
-- Name: comment_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.comment_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: comment_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.comment_id_seq OWNED BY public.comment.id;


--
-- Name: dimension; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.dimension (
    id integer NOT NULL,
    questionnaire_id integer NOT NULL,
    code character varying(40) NOT NULL,
    "group" character varying(40) NOT NULL,
    "position" integer NOT NULL,
    name_sv character varying(200) NOT NULL,
    name_en character varying(200) NOT NULL
);


--
-- Name: dimension_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.dimension_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: dimension_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.dimension_id_seq OWNED BY public.dimension.id;


--
-- Name: invitation; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invitation (
    id integer NOT NULL,
    round_id integer NOT NULL,
    token_hash character varying(64) NOT NULL,
    kind character varying(10) NOT NULL,
    response_id integer,
    used_on date,
    CONSTRAINT invitation_kind CHECK (((kind)::text = ANY ((ARRAY['personal'::character varying, 'shared'::character varying])::text[])))
);


--
-- Name: invitation_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.invitation_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: invitation_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.invitation_id_seq OWNED BY public.invitation.id;


--
-- Name: item; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.item (
    id integer NOT NULL,
    questionnaire_id integer NOT NULL,
    dimension_id integer NOT NULL,
    code character varying(40) NOT NULL,
    "position" integer NOT NULL,
    text_sv text NOT NULL,
    text_en text NOT NULL,
    reverse boolean NOT NULL
);


--
-- Name: item_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.item_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: item_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.item_id_seq OWNED BY public.item.id;


--
-- Name: questionnaire; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.questionnaire (
    id integer NOT NULL,
    key character varying(80) NOT NULL,
    version integer NOT NULL,
    title_sv character varying(300) NOT NULL,
    title_en character varying(300) NOT NULL,
    definition json NOT NULL,
    source_sha256 character varying(64) NOT NULL
);


--
-- Name: questionnaire_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.questionnaire_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: questionnaire_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.questionnaire_id_seq OWNED BY public.questionnaire.id;


--
-- Name: response; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.response (
    id integer NOT NULL,
    round_id integer NOT NULL,
    state character varying(12) NOT NULL,
    language character varying(2) NOT NULL,
    role character varying(40),
    agency character varying(40),
    years character varying(40),
    saved_at timestamp without time zone,
    submitted_on date,
    CONSTRAINT response_state CHECK (((state)::text = ANY ((ARRAY['in_progress'::character varying, 'submitted'::character varying])::text[])))
);


--
-- Name: response_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.response_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: response_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.response_id_seq OWNED BY public.response.id;


--
-- Name: round; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.round (
    id integer NOT NULL,
    association_id integer NOT NULL,
    questionnaire_id integer NOT NULL,
    label character varying(40) NOT NULL,
    state character varying(10) NOT NULL,
    opens_on date,
    closes_on date,
    CONSTRAINT round_state CHECK (((state)::text = ANY ((ARRAY['draft'::character varying, 'open'::character varying, 'closed'::character varying])::text[])))
);


--
-- Name: round_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.round_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: round_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.round_id_seq OWNED BY public.round.id;


--
-- Name: answer id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.answer ALTER COLUMN id SET DEFAULT nextval('public.answer_id_seq'::regclass);


--
-- Name: association id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.association ALTER COLUMN id SET DEFAULT nextval('public.association_id_seq'::regclass);


--
-- Name: comment id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.comment ALTER COLUMN id SET DEFAULT nextval('public.comment_id_seq'::regclass);


--
-- Name: dimension id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dimension ALTER COLUMN id SET DEFAULT nextval('public.dimension_id_seq'::regclass);


--
-- Name: invitation id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invitation ALTER COLUMN id SET DEFAULT nextval('public.invitation_id_seq'::regclass);


--
-- Name: item id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.item ALTER COLUMN id SET DEFAULT nextval('public.item_id_seq'::regclass);


--
-- Name: questionnaire id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questionnaire ALTER COLUMN id SET DEFAULT nextval('public.questionnaire_id_seq'::regclass);


--
-- Name: response id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.response ALTER COLUMN id SET DEFAULT nextval('public.response_id_seq'::regclass);


--
-- Name: round id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.round ALTER COLUMN id SET DEFAULT nextval('public.round_id_seq'::regclass);


--
-- Data for Name: agency_type; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.agency_type VALUES ('fk', 'Försäkringskassan', 'Swedish Social Insurance Agency');
INSERT INTO public.agency_type VALUES ('af', 'Arbetsförmedlingen', 'Swedish Public Employment Service');
INSERT INTO public.agency_type VALUES ('kommun', 'Kommun', 'Municipality');
INSERT INTO public.agency_type VALUES ('region', 'Region', 'Region (healthcare)');
INSERT INTO public.agency_type VALUES ('forbund', 'Samordningsförbundet', 'The coordination association itself');
INSERT INTO public.agency_type VALUES ('annan', 'Annan', 'Other');


--
-- Data for Name: answer; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.answer VALUES (1, 1, 1, 1);
INSERT INTO public.answer VALUES (2, 1, 2, 2);
INSERT INTO public.answer VALUES (3, 1, 3, 3);
INSERT INTO public.answer VALUES (4, 1, 4, 4);
INSERT INTO public.answer VALUES (5, 1, 5, 5);
INSERT INTO public.answer VALUES (6, 1, 6, 1);
INSERT INTO public.answer VALUES (7, 1, 7, 2);
INSERT INTO public.answer VALUES (8, 1, 8, 3);
INSERT INTO public.answer VALUES (9, 1, 9, 4);
INSERT INTO public.answer VALUES (10, 1, 10, 5);
INSERT INTO public.answer VALUES (11, 1, 11, 1);
INSERT INTO public.answer VALUES (12, 1, 12, 2);
INSERT INTO public.answer VALUES (13, 1, 13, 3);
INSERT INTO public.answer VALUES (14, 1, 14, 4);
INSERT INTO public.answer VALUES (15, 1, 15, 5);
INSERT INTO public.answer VALUES (16, 1, 16, 1);
INSERT INTO public.answer VALUES (17, 1, 17, 2);
INSERT INTO public.answer VALUES (18, 1, 18, 3);
INSERT INTO public.answer VALUES (19, 1, 19, 4);
INSERT INTO public.answer VALUES (20, 1, 20, 5);
INSERT INTO public.answer VALUES (21, 1, 21, 1);
INSERT INTO public.answer VALUES (22, 1, 22, 2);
INSERT INTO public.answer VALUES (23, 1, 23, 3);
INSERT INTO public.answer VALUES (24, 1, 24, 4);
INSERT INTO public.answer VALUES (25, 1, 25, 5);
INSERT INTO public.answer VALUES (26, 1, 26, 1);
INSERT INTO public.answer VALUES (27, 1, 27, 2);
INSERT INTO public.answer VALUES (28, 1, 28, 3);
INSERT INTO public.answer VALUES (29, 1, 29, 4);
INSERT INTO public.answer VALUES (30, 1, 30, 5);
INSERT INTO public.answer VALUES (31, 1, 31, 1);
INSERT INTO public.answer VALUES (32, 1, 32, 2);
INSERT INTO public.answer VALUES (33, 1, 33, 3);
INSERT INTO public.answer VALUES (34, 1, 34, 4);
INSERT INTO public.answer VALUES (35, 1, 35, 5);
INSERT INTO public.answer VALUES (36, 1, 36, 1);
INSERT INTO public.answer VALUES (37, 1, 37, 2);
INSERT INTO public.answer VALUES (38, 1, 38, 3);
INSERT INTO public.answer VALUES (39, 1, 39, 4);
INSERT INTO public.answer VALUES (40, 1, 40, 5);
INSERT INTO public.answer VALUES (41, 2, 1, NULL);
INSERT INTO public.answer VALUES (42, 2, 2, 4);
INSERT INTO public.answer VALUES (43, 2, 3, 4);
INSERT INTO public.answer VALUES (44, 2, 4, 4);
INSERT INTO public.answer VALUES (45, 2, 5, 4);
INSERT INTO public.answer VALUES (46, 2, 6, 4);
INSERT INTO public.answer VALUES (47, 2, 7, 4);
INSERT INTO public.answer VALUES (48, 2, 8, NULL);
INSERT INTO public.answer VALUES (49, 2, 9, 4);
INSERT INTO public.answer VALUES (50, 2, 10, 4);
INSERT INTO public.answer VALUES (51, 2, 11, 4);
INSERT INTO public.answer VALUES (52, 2, 12, 4);
INSERT INTO public.answer VALUES (53, 2, 13, 4);
INSERT INTO public.answer VALUES (54, 2, 14, 4);
INSERT INTO public.answer VALUES (55, 2, 15, NULL);
INSERT INTO public.answer VALUES (56, 2, 16, 4);
INSERT INTO public.answer VALUES (57, 2, 17, 4);
INSERT INTO public.answer VALUES (58, 2, 18, 4);
INSERT INTO public.answer VALUES (59, 2, 19, 4);
INSERT INTO public.answer VALUES (60, 2, 20, 4);
INSERT INTO public.answer VALUES (61, 2, 21, 4);
INSERT INTO public.answer VALUES (62, 2, 22, NULL);
INSERT INTO public.answer VALUES (63, 2, 23, 4);
INSERT INTO public.answer VALUES (64, 2, 24, 4);
INSERT INTO public.answer VALUES (65, 2, 25, 4);
INSERT INTO public.answer VALUES (66, 2, 26, 4);
INSERT INTO public.answer VALUES (67, 2, 27, 4);
INSERT INTO public.answer VALUES (68, 2, 28, 4);
INSERT INTO public.answer VALUES (69, 2, 29, NULL);
INSERT INTO public.answer VALUES (70, 2, 30, 4);
INSERT INTO public.answer VALUES (71, 2, 31, 4);
INSERT INTO public.answer VALUES (72, 2, 32, 4);
INSERT INTO public.answer VALUES (73, 2, 33, 4);
INSERT INTO public.answer VALUES (74, 2, 34, 4);
INSERT INTO public.answer VALUES (75, 2, 35, 4);
INSERT INTO public.answer VALUES (76, 2, 36, NULL);
INSERT INTO public.answer VALUES (77, 2, 37, 4);
INSERT INTO public.answer VALUES (78, 2, 38, 4);
INSERT INTO public.answer VALUES (79, 2, 39, 4);
INSERT INTO public.answer VALUES (80, 2, 40, 4);
INSERT INTO public.answer VALUES (81, 3, 1, 3);
INSERT INTO public.answer VALUES (82, 3, 2, 3);
INSERT INTO public.answer VALUES (83, 3, 3, 3);
INSERT INTO public.answer VALUES (84, 3, 4, 3);
INSERT INTO public.answer VALUES (85, 3, 5, 3);
INSERT INTO public.answer VALUES (86, 3, 6, 3);
INSERT INTO public.answer VALUES (87, 3, 7, 3);
INSERT INTO public.answer VALUES (88, 3, 8, 3);
INSERT INTO public.answer VALUES (89, 3, 9, 3);
INSERT INTO public.answer VALUES (90, 3, 10, 3);
INSERT INTO public.answer VALUES (91, 4, 1, 2);
INSERT INTO public.answer VALUES (92, 4, 2, 2);
INSERT INTO public.answer VALUES (93, 4, 3, 2);
INSERT INTO public.answer VALUES (94, 4, 4, 2);
INSERT INTO public.answer VALUES (95, 4, 5, 2);
INSERT INTO public.answer VALUES (96, 4, 6, 2);
INSERT INTO public.answer VALUES (97, 4, 7, 2);
INSERT INTO public.answer VALUES (98, 4, 8, 2);
INSERT INTO public.answer VALUES (99, 4, 9, 2);
INSERT INTO public.answer VALUES (100, 4, 10, 2);
INSERT INTO public.answer VALUES (101, 4, 11, 2);
INSERT INTO public.answer VALUES (102, 4, 12, 2);
INSERT INTO public.answer VALUES (103, 4, 13, 2);
INSERT INTO public.answer VALUES (104, 4, 14, 2);
INSERT INTO public.answer VALUES (105, 4, 15, 2);
INSERT INTO public.answer VALUES (106, 4, 16, 2);
INSERT INTO public.answer VALUES (107, 4, 17, 2);
INSERT INTO public.answer VALUES (108, 4, 18, 2);
INSERT INTO public.answer VALUES (109, 4, 19, 2);
INSERT INTO public.answer VALUES (110, 4, 20, 2);
INSERT INTO public.answer VALUES (111, 4, 21, 2);
INSERT INTO public.answer VALUES (112, 4, 22, 2);
INSERT INTO public.answer VALUES (113, 4, 23, 2);
INSERT INTO public.answer VALUES (114, 4, 24, 2);
INSERT INTO public.answer VALUES (115, 4, 25, 2);
INSERT INTO public.answer VALUES (116, 4, 26, 2);
INSERT INTO public.answer VALUES (117, 4, 27, 2);
INSERT INTO public.answer VALUES (118, 4, 28, 2);
INSERT INTO public.answer VALUES (119, 4, 29, 2);
INSERT INTO public.answer VALUES (120, 4, 30, 2);
INSERT INTO public.answer VALUES (121, 4, 31, 2);
INSERT INTO public.answer VALUES (122, 4, 32, 2);
INSERT INTO public.answer VALUES (123, 4, 33, 2);
INSERT INTO public.answer VALUES (124, 4, 34, 2);
INSERT INTO public.answer VALUES (125, 4, 35, 2);
INSERT INTO public.answer VALUES (126, 4, 36, 2);
INSERT INTO public.answer VALUES (127, 4, 37, 2);
INSERT INTO public.answer VALUES (128, 4, 38, 2);
INSERT INTO public.answer VALUES (129, 4, 39, 2);
INSERT INTO public.answer VALUES (130, 4, 40, 2);


--
-- Data for Name: association; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.association VALUES (1, 'norrsund', 'Norrsunds samordningsförbund', false);
INSERT INTO public.association VALUES (2, 'sydvik', 'Sydviks samordningsförbund', true);


--
-- Data for Name: comment; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.comment VALUES (1, 1, 1, 'Vi träffas varje vecka – bra!');


--
-- Data for Name: dimension; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.dimension VALUES (1, 1, 'STRAT', 'strategy', 0, 'Strategi och långsiktighet', 'Strategy and long-term approach');
INSERT INTO public.dimension VALUES (2, 1, 'STYR', 'structural', 1, 'Styrning och mandat', 'Governance and mandate');
INSERT INTO public.dimension VALUES (3, 1, 'RES', 'structural', 2, 'Resurser och finansiering', 'Resources and funding');
INSERT INTO public.dimension VALUES (4, 1, 'PROC', 'structural', 3, 'Gemensamma arbetsprocesser', 'Joint work processes');
INSERT INTO public.dimension VALUES (5, 1, 'INFO', 'structural', 4, 'Information och uppföljning', 'Information and follow-up');
INSERT INTO public.dimension VALUES (6, 1, 'SYN', 'cultural', 5, 'Gemensam syn och värderingar', 'Shared view and values');
INSERT INTO public.dimension VALUES (7, 1, 'TILL', 'cultural', 6, 'Tillit och relationer', 'Trust and relationships');
INSERT INTO public.dimension VALUES (8, 1, 'KUNS', 'cultural', 7, 'Kunskap och lärande', 'Knowledge and learning');
INSERT INTO public.dimension VALUES (9, 1, 'INDV', 'individual', 8, 'Individen i centrum', 'The individual at the centre');
INSERT INTO public.dimension VALUES (10, 1, 'RESULT', 'outcomes', 9, 'Resultat', 'Results');


--
-- Data for Name: invitation; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.invitation VALUES (1, 1, '5ad1506d97cafe3dbf84a54af1a9578fe3173038d0c6316076c98d09de08eb4d', 'personal', NULL, '2026-03-02');
INSERT INTO public.invitation VALUES (2, 1, 'f82f18f477bdecbf515fc327eddbe598c3f790489b66ff19e37c58b967075e39', 'personal', NULL, '2026-03-02');
INSERT INTO public.invitation VALUES (3, 1, '3e1f722ca5fcf3b601ff59c2306468b90dc3351ecf5a702503a82bf63359bd79', 'personal', 3, NULL);
INSERT INTO public.invitation VALUES (4, 1, '213f843f5186666469dd6f2472d0dca29163e352d15338b7e0fc0b573856301c', 'personal', NULL, NULL);
INSERT INTO public.invitation VALUES (5, 1, 'd4eadebf6f650ce90f910ccb60b4923a80d439a803a730e8f088dfbcc876170e', 'shared', NULL, NULL);
INSERT INTO public.invitation VALUES (6, 2, '32ce664dfcc5f609563444141b6147e0aaad7ea7fdfb115431ee1fbe52c528cf', 'personal', NULL, '2025-03-20');


--
-- Data for Name: item; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.item VALUES (1, 1, 1, 'STRAT1', 0, 'Parterna har en gemensam, skriftlig strategi för samverkan.', 'The partners have a shared, written strategy for collaboration.', false);
INSERT INTO public.item VALUES (2, 1, 1, 'STRAT2', 1, 'Insatser som fungerar förs över till parternas ordinarie verksamhet.', 'Services that work are moved into the partners'' ordinary operations.', false);
INSERT INTO public.item VALUES (3, 1, 1, 'STRAT3', 2, 'Samverkan bygger till stor del på kortsiktiga projekt.', 'Collaboration relies largely on short-term projects.', true);
INSERT INTO public.item VALUES (4, 1, 1, 'STRAT4', 3, 'Den gemensamma strategin är känd och används i det dagliga arbetet.', 'The shared strategy is known and used in day-to-day work.', false);
INSERT INTO public.item VALUES (5, 1, 2, 'STYR1', 0, 'Det är tydligt vem som beslutar om vad i samverkan.', 'It is clear who decides what in the collaboration.', false);
INSERT INTO public.item VALUES (6, 1, 2, 'STYR2', 1, 'Parternas representanter har mandat att fatta beslut för sin organisation.', 'The partners'' representatives have a mandate to make decisions for their own organisation.', false);
INSERT INTO public.item VALUES (7, 1, 2, 'STYR3', 2, 'Parterna har gemensamma mål för samverkan.', 'The partners have shared goals for the collaboration.', false);
INSERT INTO public.item VALUES (8, 1, 2, 'STYR4', 3, 'Styrelse och ledning följer regelbundet upp de gemensamma målen.', 'The board and management regularly follow up the shared goals.', false);
INSERT INTO public.item VALUES (9, 1, 3, 'RES1', 0, 'Parterna avsätter personal och tid till samverkan, inte bara pengar.', 'The partners commit staff and time to the collaboration, not only money.', false);
INSERT INTO public.item VALUES (10, 1, 3, 'RES2', 1, 'Finansieringen gör det möjligt att planera långsiktigt.', 'The funding makes it possible to plan for the long term.', false);
INSERT INTO public.item VALUES (11, 1, 3, 'RES3', 2, 'Kostnaderna för samverkan fördelas rättvist mellan parterna.', 'The costs of the collaboration are shared fairly between the partners.', false);
INSERT INTO public.item VALUES (12, 1, 3, 'RES4', 3, 'Vinsterna av samverkan kommer alla parter till del.', 'The gains from the collaboration benefit all partners.', false);
INSERT INTO public.item VALUES (13, 1, 4, 'PROC1', 0, 'Vi har överenskomna rutiner för hur deltagare hänvisas och lämnas över mellan parterna.', 'We have agreed routines for how participants are referred and handed over between the partners.', false);
INSERT INTO public.item VALUES (14, 1, 4, 'PROC2', 1, 'Rollerna i våra gemensamma team är tydliga.', 'The roles in our joint teams are clear.', false);
INSERT INTO public.item VALUES (15, 1, 4, 'PROC3', 2, 'Parternas regler och rutiner hindrar det gemensamma arbetet.', 'The partners'' rules and procedures block the joint work.', true);
INSERT INTO public.item VALUES (16, 1, 4, 'PROC4', 3, 'De gemensamma arbetssätten är dokumenterade och kända av alla som berörs.', 'The joint ways of working are documented and known to everyone involved.', false);
INSERT INTO public.item VALUES (17, 1, 5, 'INFO1', 0, 'Vi delar den information som behövs, med den enskildes samtycke.', 'We share the information that is needed, with the individual''s consent.', false);
INSERT INTO public.item VALUES (18, 1, 5, 'INFO2', 1, 'Parterna följer upp det gemensamma arbetet tillsammans.', 'The partners follow up the joint work together.', false);
INSERT INTO public.item VALUES (19, 1, 5, 'INFO3', 2, 'Resultaten från uppföljningen används för att förbättra arbetet.', 'The results of the follow-up are used to improve the work.', false);
INSERT INTO public.item VALUES (20, 1, 5, 'INFO4', 3, 'Uppföljningens resultat återkopplas till dem som utför arbetet.', 'The results of the follow-up are fed back to those who do the work.', false);
INSERT INTO public.item VALUES (21, 1, 6, 'SYN1', 0, 'Parterna har en gemensam bild av vilka som ingår i målgruppen.', 'The partners have a shared picture of who belongs to the target group.', false);
INSERT INTO public.item VALUES (22, 1, 6, 'SYN2', 1, 'Vi delar grundläggande värderingar om rehabilitering.', 'We share basic values about rehabilitation.', false);
INSERT INTO public.item VALUES (23, 1, 6, 'SYN3', 2, 'Vi har ett gemensamt språk när vi talar om arbetsförmåga.', 'We have a common language when we talk about work ability.', false);
INSERT INTO public.item VALUES (24, 1, 6, 'SYN4', 3, 'Parterna är överens om vad samverkan ska leda till för den enskilde.', 'The partners agree on what the collaboration should achieve for the individual.', false);
INSERT INTO public.item VALUES (25, 1, 7, 'TILL1', 0, 'Parterna gör det de har lovat.', 'The partners do what they have promised.', false);
INSERT INTO public.item VALUES (26, 1, 7, 'TILL2', 1, 'Konflikter och problem tas upp öppet.', 'Conflicts and problems are raised openly.', false);
INSERT INTO public.item VALUES (27, 1, 7, 'TILL3', 2, 'När problem uppstår löser vi dem tillsammans.', 'When problems arise, we solve them together.', false);
INSERT INTO public.item VALUES (28, 1, 7, 'TILL4', 3, 'Samverkan står och faller med enskilda eldsjälar.', 'The collaboration stands or falls with individual enthusiasts.', true);
INSERT INTO public.item VALUES (29, 1, 8, 'KUNS1', 0, 'Vi känner till varandras uppdrag och regelverk.', 'We know each other''s remits and rules.', false);
INSERT INTO public.item VALUES (30, 1, 8, 'KUNS2', 1, 'Parterna genomför gemensamma utbildningar.', 'The partners hold joint training.', false);
INSERT INTO public.item VALUES (31, 1, 8, 'KUNS3', 2, 'Vi lär oss av det som inte har fungerat.', 'We learn from what has not worked.', false);
INSERT INTO public.item VALUES (32, 1, 8, 'KUNS4', 3, 'Det som fungerar bra tas till vara och sprids mellan parterna.', 'What works well is captured and spread between the partners.', false);
INSERT INTO public.item VALUES (33, 1, 9, 'INDV1', 0, 'Stödet utformas efter individens behov, inte efter organisationsgränser.', 'Support is shaped by the individual''s needs, not by organisational boundaries.', false);
INSERT INTO public.item VALUES (34, 1, 9, 'INDV2', 1, 'Individen har en kontaktperson som samordnar stödet från alla parter.', 'The individual has one contact person who coordinates the support from all partners.', false);
INSERT INTO public.item VALUES (35, 1, 9, 'INDV3', 2, 'Deltagarna är med och planerar sitt eget stöd.', 'Participants take part in planning their own support.', false);
INSERT INTO public.item VALUES (36, 1, 9, 'INDV4', 3, 'Personer som behöver stöd från flera parter hamnar mellan stolarna.', 'People who need support from several partners fall between the cracks.', true);
INSERT INTO public.item VALUES (37, 1, 10, 'RESULT1', 0, 'Deltagarna upplever rehabiliteringen som bättre än tidigare.', 'Participants experience their rehabilitation as better than before.', false);
INSERT INTO public.item VALUES (38, 1, 10, 'RESULT2', 1, 'Tack vare samverkan kommer fler deltagare närmare arbete eller studier.', 'Thanks to the collaboration, more participants move closer to work or studies.', false);
INSERT INTO public.item VALUES (39, 1, 10, 'RESULT3', 2, 'Samverkan ger bättre resultat än om parterna arbetade var för sig.', 'The collaboration gives better results than if the partners worked separately.', false);
INSERT INTO public.item VALUES (40, 1, 10, 'RESULT4', 3, 'Över tid ger samverkan mer nytta för pengarna än tidigare arbetssätt.', 'Over time, the collaboration gives more value for money than earlier ways of working.', false);


--
-- Data for Name: questionnaire; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.questionnaire VALUES (1, 'integrerad-samverkan', 1, 'Samverkansmätaren – integrerad samverkan', 'Collaboration Gauge – integrated collaboration', '{"key": "integrerad-samverkan", "version": 1, "languages": ["sv", "en"], "title": {"sv": "Samverkansm\u00e4taren \u2013 integrerad samverkan", "en": "Collaboration Gauge \u2013 integrated collaboration"}, "intro": {"sv": "Samverkansm\u00e4taren visar hur l\u00e5ngt samverkan mellan parterna i ert samordningsf\u00f6rbund har kommit mot integrerad samverkan. Enk\u00e4ten tar ungef\u00e4r 10 minuter och \u00e4r anonym. Du kan g\u00f6ra en paus och forts\u00e4tta senare via samma l\u00e4nk.", "en": "The Collaboration Gauge shows how far collaboration between the partners in your coordination association has come towards integrated collaboration. The survey takes about 10 minutes and is anonymous. You can pause and continue later using the same link."}, "scale": {"min": 1, "max": 5, "labels": {"1": {"sv": "Inst\u00e4mmer inte alls", "en": "Strongly disagree"}, "2": {"sv": "Inst\u00e4mmer till liten del", "en": "Agree to a small extent"}, "3": {"sv": "Inst\u00e4mmer delvis", "en": "Partly agree"}, "4": {"sv": "Inst\u00e4mmer till stor del", "en": "Agree to a large extent"}, "5": {"sv": "Inst\u00e4mmer helt", "en": "Strongly agree"}}, "dont_know": {"sv": "Vet ej", "en": "Don''t know"}}, "background": [{"code": "role", "text": {"sv": "Vilken \u00e4r din roll i samverkan?", "en": "What is your role in the collaboration?"}, "choices": [{"code": "handlaggare", "label": {"sv": "Handl\u00e4ggare / medarbetare i insats", "en": "Case worker / staff in a joint service"}}, {"code": "chef", "label": {"sv": "Chef i f\u00f6rsta linjen", "en": "First-line manager"}}, {"code": "beredningsgrupp", "label": {"sv": "Ledamot i beredningsgruppen", "en": "Member of the preparatory group"}}, {"code": "styrelse", "label": {"sv": "Styrelseledamot", "en": "Board member"}}, {"code": "forbundskansli", "label": {"sv": "F\u00f6rbundets kansli (t.ex. f\u00f6rbundschef, processledare)", "en": "Coordination association staff (e.g. director, process leader)"}}, {"code": "annan", "label": {"sv": "Annan roll", "en": "Other role"}}]}, {"code": "agency", "text": {"sv": "Vilken part arbetar du hos?", "en": "Which member agency do you work for?"}, "choices": [{"code": "fk", "label": {"sv": "F\u00f6rs\u00e4kringskassan", "en": "Swedish Social Insurance Agency"}}, {"code": "af", "label": {"sv": "Arbetsf\u00f6rmedlingen", "en": "Swedish Public Employment Service"}}, {"code": "kommun", "label": {"sv": "Kommun", "en": "Municipality"}}, {"code": "region", "label": {"sv": "Region", "en": "Region (healthcare)"}}, {"code": "forbund", "label": {"sv": "Samordningsf\u00f6rbundet", "en": "The coordination association itself"}}, {"code": "annan", "label": {"sv": "Annan", "en": "Other"}}]}, {"code": "years", "text": {"sv": "Hur l\u00e4nge har du arbetat i samverkan inom f\u00f6rbundet?", "en": "How long have you worked in collaboration within the coordination association?"}, "choices": [{"code": "lt1", "label": {"sv": "Mindre \u00e4n 1 \u00e5r", "en": "Less than 1 year"}}, {"code": "1to3", "label": {"sv": "1\u20133 \u00e5r", "en": "1\u20133 years"}}, {"code": "3to5", "label": {"sv": "Mer \u00e4n 3 och upp till 5 \u00e5r", "en": "More than 3 and up to 5 years"}}, {"code": "gt5", "label": {"sv": "Mer \u00e4n 5 \u00e5r", "en": "More than 5 years"}}]}], "dimensions": [{"code": "STRAT", "group": "strategy", "name": {"sv": "Strategi och l\u00e5ngsiktighet", "en": "Strategy and long-term approach"}, "description": {"sv": "I vilken m\u00e5n samverkan styrs av en gemensam strategi och bygger varaktiga arbetss\u00e4tt i st\u00e4llet f\u00f6r kortsiktiga projekt.", "en": "The extent to which collaboration is guided by a shared strategy and builds lasting ways of working instead of short-term projects."}, "items": [{"code": "STRAT1", "text": {"sv": "Parterna har en gemensam, skriftlig strategi f\u00f6r samverkan.", "en": "The partners have a shared, written strategy for collaboration."}}, {"code": "STRAT2", "text": {"sv": "Insatser som fungerar f\u00f6rs \u00f6ver till parternas ordinarie verksamhet.", "en": "Services that work are moved into the partners'' ordinary operations."}}, {"code": "STRAT3", "text": {"sv": "Samverkan bygger till stor del p\u00e5 kortsiktiga projekt.", "en": "Collaboration relies largely on short-term projects."}, "reverse": true}, {"code": "STRAT4", "text": {"sv": "Den gemensamma strategin \u00e4r k\u00e4nd och anv\u00e4nds i det dagliga arbetet.", "en": "The shared strategy is known and used in day-to-day work."}}]}, {"code": "STYR", "group": "structural", "name": {"sv": "Styrning och mandat", "en": "Governance and mandate"}, "description": {"sv": "Hur tydligt beslutsv\u00e4gar, mandat och gemensamma m\u00e5l \u00e4r och hur styrelse och ledning f\u00f6ljer upp dem.", "en": "How clear decision paths, mandates and shared goals are, and how the board and management follow them up."}, "items": [{"code": "STYR1", "text": {"sv": "Det \u00e4r tydligt vem som beslutar om vad i samverkan.", "en": "It is clear who decides what in the collaboration."}}, {"code": "STYR2", "text": {"sv": "Parternas representanter har mandat att fatta beslut f\u00f6r sin organisation.", "en": "The partners'' representatives have a mandate to make decisions for their own organisation."}}, {"code": "STYR3", "text": {"sv": "Parterna har gemensamma m\u00e5l f\u00f6r samverkan.", "en": "The partners have shared goals for the collaboration."}}, {"code": "STYR4", "text": {"sv": "Styrelse och ledning f\u00f6ljer regelbundet upp de gemensamma m\u00e5len.", "en": "The board and management regularly follow up the shared goals."}}]}, {"code": "RES", "group": "structural", "name": {"sv": "Resurser och finansiering", "en": "Resources and funding"}, "description": {"sv": "Om parterna avs\u00e4tter personal, tid och pengar p\u00e5 ett s\u00e4tt som ger l\u00e5ngsiktighet och en r\u00e4ttvis f\u00f6rdelning.", "en": "Whether the partners commit staff, time and money in a way that allows long-term work and fair sharing."}, "items": [{"code": "RES1", "text": {"sv": "Parterna avs\u00e4tter personal och tid till samverkan, inte bara pengar.", "en": "The partners commit staff and time to the collaboration, not only money."}}, {"code": "RES2", "text": {"sv": "Finansieringen g\u00f6r det m\u00f6jligt att planera l\u00e5ngsiktigt.", "en": "The funding makes it possible to plan for the long term."}}, {"code": "RES3", "text": {"sv": "Kostnaderna f\u00f6r samverkan f\u00f6rdelas r\u00e4ttvist mellan parterna.", "en": "The costs of the collaboration are shared fairly between the partners."}}, {"code": "RES4", "text": {"sv": "Vinsterna av samverkan kommer alla parter till del.", "en": "The gains from the collaboration benefit all partners."}}]}, {"code": "PROC", "group": "structural", "name": {"sv": "Gemensamma arbetsprocesser", "en": "Joint work processes"}, "description": {"sv": "Hur v\u00e4l parterna har \u00f6verenskomna rutiner och tydliga roller f\u00f6r det gemensamma arbetet.", "en": "How well the partners have agreed routines and clear roles for their joint work."}, "items": [{"code": "PROC1", "text": {"sv": "Vi har \u00f6verenskomna rutiner f\u00f6r hur deltagare h\u00e4nvisas och l\u00e4mnas \u00f6ver mellan parterna.", "en": "We have agreed routines for how participants are referred and handed over between the partners."}}, {"code": "PROC2", "text": {"sv": "Rollerna i v\u00e5ra gemensamma team \u00e4r tydliga.", "en": "The roles in our joint teams are clear."}}, {"code": "PROC3", "text": {"sv": "Parternas regler och rutiner hindrar det gemensamma arbetet.", "en": "The partners'' rules and procedures block the joint work."}, "reverse": true}, {"code": "PROC4", "text": {"sv": "De gemensamma arbetss\u00e4tten \u00e4r dokumenterade och k\u00e4nda av alla som ber\u00f6rs.", "en": "The joint ways of working are documented and known to everyone involved."}}]}, {"code": "INFO", "group": "structural", "name": {"sv": "Information och uppf\u00f6ljning", "en": "Information and follow-up"}, "description": {"sv": "Hur parterna delar information och f\u00f6ljer upp det gemensamma arbetet f\u00f6r att f\u00f6rb\u00e4ttra det.", "en": "How the partners share information and follow up the joint work in order to improve it."}, "items": [{"code": "INFO1", "text": {"sv": "Vi delar den information som beh\u00f6vs, med den enskildes samtycke.", "en": "We share the information that is needed, with the individual''s consent."}}, {"code": "INFO2", "text": {"sv": "Parterna f\u00f6ljer upp det gemensamma arbetet tillsammans.", "en": "The partners follow up the joint work together."}}, {"code": "INFO3", "text": {"sv": "Resultaten fr\u00e5n uppf\u00f6ljningen anv\u00e4nds f\u00f6r att f\u00f6rb\u00e4ttra arbetet.", "en": "The results of the follow-up are used to improve the work."}}, {"code": "INFO4", "text": {"sv": "Uppf\u00f6ljningens resultat \u00e5terkopplas till dem som utf\u00f6r arbetet.", "en": "The results of the follow-up are fed back to those who do the work."}}]}, {"code": "SYN", "group": "cultural", "name": {"sv": "Gemensam syn och v\u00e4rderingar", "en": "Shared view and values"}, "description": {"sv": "I vilken m\u00e5n parterna delar synen p\u00e5 m\u00e5lgruppen, p\u00e5 rehabilitering och p\u00e5 arbetsf\u00f6rm\u00e5ga.", "en": "The extent to which the partners share a view of the target group, of rehabilitation and of work ability."}, "items": [{"code": "SYN1", "text": {"sv": "Parterna har en gemensam bild av vilka som ing\u00e5r i m\u00e5lgruppen.", "en": "The partners have a shared picture of who belongs to the target group."}}, {"code": "SYN2", "text": {"sv": "Vi delar grundl\u00e4ggande v\u00e4rderingar om rehabilitering.", "en": "We share basic values about rehabilitation."}}, {"code": "SYN3", "text": {"sv": "Vi har ett gemensamt spr\u00e5k n\u00e4r vi talar om arbetsf\u00f6rm\u00e5ga.", "en": "We have a common language when we talk about work ability."}}, {"code": "SYN4", "text": {"sv": "Parterna \u00e4r \u00f6verens om vad samverkan ska leda till f\u00f6r den enskilde.", "en": "The partners agree on what the collaboration should achieve for the individual."}}]}, {"code": "TILL", "group": "cultural", "name": {"sv": "Tillit och relationer", "en": "Trust and relationships"}, "description": {"sv": "Hur mycket parterna litar p\u00e5 varandra och hur relationerna b\u00e4r \u00e4ven n\u00e4r n\u00e5got g\u00e5r fel.", "en": "How much the partners trust each other and how well the relationships hold even when something goes wrong."}, "items": [{"code": "TILL1", "text": {"sv": "Parterna g\u00f6r det de har lovat.", "en": "The partners do what they have promised."}}, {"code": "TILL2", "text": {"sv": "Konflikter och problem tas upp \u00f6ppet.", "en": "Conflicts and problems are raised openly."}}, {"code": "TILL3", "text": {"sv": "N\u00e4r problem uppst\u00e5r l\u00f6ser vi dem tillsammans.", "en": "When problems arise, we solve them together."}}, {"code": "TILL4", "text": {"sv": "Samverkan st\u00e5r och faller med enskilda eldsj\u00e4lar.", "en": "The collaboration stands or falls with individual enthusiasts."}, "reverse": true}]}, {"code": "KUNS", "group": "cultural", "name": {"sv": "Kunskap och l\u00e4rande", "en": "Knowledge and learning"}, "description": {"sv": "Hur v\u00e4l parterna k\u00e4nner varandras uppdrag och l\u00e4r sig tillsammans av det som fungerar och det som inte fungerar.", "en": "How well the partners know each other''s remits and learn together from what works and what does not."}, "items": [{"code": "KUNS1", "text": {"sv": "Vi k\u00e4nner till varandras uppdrag och regelverk.", "en": "We know each other''s remits and rules."}}, {"code": "KUNS2", "text": {"sv": "Parterna genomf\u00f6r gemensamma utbildningar.", "en": "The partners hold joint training."}}, {"code": "KUNS3", "text": {"sv": "Vi l\u00e4r oss av det som inte har fungerat.", "en": "We learn from what has not worked."}}, {"code": "KUNS4", "text": {"sv": "Det som fungerar bra tas till vara och sprids mellan parterna.", "en": "What works well is captured and spread between the partners."}}]}, {"code": "INDV", "group": "individual", "name": {"sv": "Individen i centrum", "en": "The individual at the centre"}, "description": {"sv": "I vilken m\u00e5n st\u00f6det utg\u00e5r fr\u00e5n den enskildes behov i st\u00e4llet f\u00f6r parternas organisationsgr\u00e4nser.", "en": "The extent to which support starts from the individual''s needs rather than the partners'' organisational boundaries."}, "items": [{"code": "INDV1", "text": {"sv": "St\u00f6det utformas efter individens behov, inte efter organisationsgr\u00e4nser.", "en": "Support is shaped by the individual''s needs, not by organisational boundaries."}}, {"code": "INDV2", "text": {"sv": "Individen har en kontaktperson som samordnar st\u00f6det fr\u00e5n alla parter.", "en": "The individual has one contact person who coordinates the support from all partners."}}, {"code": "INDV3", "text": {"sv": "Deltagarna \u00e4r med och planerar sitt eget st\u00f6d.", "en": "Participants take part in planning their own support."}}, {"code": "INDV4", "text": {"sv": "Personer som beh\u00f6ver st\u00f6d fr\u00e5n flera parter hamnar mellan stolarna.", "en": "People who need support from several partners fall between the cracks."}, "reverse": true}]}, {"code": "RESULT", "group": "outcomes", "name": {"sv": "Resultat", "en": "Results"}, "description": {"sv": "Om samverkan ger den enskilde en b\u00e4ttre rehabilitering, b\u00e4ttre resultat och mer nytta f\u00f6r pengarna \u00f6ver tid.", "en": "Whether the collaboration gives the individual better rehabilitation, better outcomes and more value for money over time."}, "items": [{"code": "RESULT1", "text": {"sv": "Deltagarna upplever rehabiliteringen som b\u00e4ttre \u00e4n tidigare.", "en": "Participants experience their rehabilitation as better than before."}}, {"code": "RESULT2", "text": {"sv": "Tack vare samverkan kommer fler deltagare n\u00e4rmare arbete eller studier.", "en": "Thanks to the collaboration, more participants move closer to work or studies."}}, {"code": "RESULT3", "text": {"sv": "Samverkan ger b\u00e4ttre resultat \u00e4n om parterna arbetade var f\u00f6r sig.", "en": "The collaboration gives better results than if the partners worked separately."}}, {"code": "RESULT4", "text": {"sv": "\u00d6ver tid ger samverkan mer nytta f\u00f6r pengarna \u00e4n tidigare arbetss\u00e4tt.", "en": "Over time, the collaboration gives more value for money than earlier ways of working."}}]}]}', 'f9919a3ed20d18e68fa0fa3e144263ca0767374868540f580d64abf39fed01d0');


--
-- Data for Name: response; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.response VALUES (1, 1, 'submitted', 'sv', 'handlaggare', 'kommun', '1-3', NULL, '2026-03-02');
INSERT INTO public.response VALUES (2, 1, 'submitted', 'en', 'chef', 'region', NULL, NULL, '2026-03-02');
INSERT INTO public.response VALUES (3, 1, 'in_progress', 'sv', 'handlaggare', NULL, NULL, '2026-03-03 09:15:00', NULL);
INSERT INTO public.response VALUES (4, 2, 'submitted', 'sv', 'chef', 'kommun', NULL, NULL, '2025-03-20');


--
-- Data for Name: round; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.round VALUES (1, 1, 1, '2026', 'open', '2026-03-02', '2026-04-30');
INSERT INTO public.round VALUES (2, 2, 1, '2025', 'closed', '2025-03-01', '2025-04-30');


--
-- Name: answer_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.answer_id_seq', 130, true);


--
-- Name: association_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.association_id_seq', 2, true);


--
-- Name: comment_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.comment_id_seq', 1, true);


--
-- Name: dimension_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.dimension_id_seq', 10, true);


--
-- Name: invitation_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.invitation_id_seq', 6, true);


--
-- Name: item_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.item_id_seq', 40, true);


--
-- Name: questionnaire_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.questionnaire_id_seq', 1, true);


--
-- Name: response_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.response_id_seq', 4, true);


--
-- Name: round_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.round_id_seq', 2, true);


--
-- Name: agency_type agency_type_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agency_type
    ADD CONSTRAINT agency_type_pkey PRIMARY KEY (code);


--
-- Name: answer answer_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.answer
    ADD CONSTRAINT answer_pkey PRIMARY KEY (id);


--
-- Name: answer answer_response_id_item_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.answer
    ADD CONSTRAINT answer_response_id_item_id_key UNIQUE (response_id, item_id);


--
-- Name: association association_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.association
    ADD CONSTRAINT association_pkey PRIMARY KEY (id);


--
-- Name: association association_slug_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.association
    ADD CONSTRAINT association_slug_key UNIQUE (slug);


--
-- Name: comment comment_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.comment
    ADD CONSTRAINT comment_pkey PRIMARY KEY (id);


--
-- Name: comment comment_response_id_dimension_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.comment
    ADD CONSTRAINT comment_response_id_dimension_id_key UNIQUE (response_id, dimension_id);


--
-- Name: dimension dimension_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dimension
    ADD CONSTRAINT dimension_pkey PRIMARY KEY (id);


--
-- Name: dimension dimension_questionnaire_id_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dimension
    ADD CONSTRAINT dimension_questionnaire_id_code_key UNIQUE (questionnaire_id, code);


--
-- Name: invitation invitation_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invitation
    ADD CONSTRAINT invitation_pkey PRIMARY KEY (id);


--
-- Name: invitation invitation_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invitation
    ADD CONSTRAINT invitation_token_hash_key UNIQUE (token_hash);


--
-- Name: item item_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.item
    ADD CONSTRAINT item_pkey PRIMARY KEY (id);


--
-- Name: item item_questionnaire_id_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.item
    ADD CONSTRAINT item_questionnaire_id_code_key UNIQUE (questionnaire_id, code);


--
-- Name: questionnaire questionnaire_key_version_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questionnaire
    ADD CONSTRAINT questionnaire_key_version_key UNIQUE (key, version);


--
-- Name: questionnaire questionnaire_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questionnaire
    ADD CONSTRAINT questionnaire_pkey PRIMARY KEY (id);


--
-- Name: response response_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.response
    ADD CONSTRAINT response_pkey PRIMARY KEY (id);


--
-- Name: round round_association_id_label_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.round
    ADD CONSTRAINT round_association_id_label_key UNIQUE (association_id, label);


--
-- Name: round round_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.round
    ADD CONSTRAINT round_pkey PRIMARY KEY (id);


--
-- Name: ix_answer_item_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_answer_item_id ON public.answer USING btree (item_id);


--
-- Name: ix_invitation_round_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_invitation_round_id ON public.invitation USING btree (round_id);


--
-- Name: ix_response_round_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_response_round_id ON public.response USING btree (round_id);


--
-- Name: answer answer_item_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.answer
    ADD CONSTRAINT answer_item_id_fkey FOREIGN KEY (item_id) REFERENCES public.item(id);


--
-- Name: answer answer_response_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.answer
    ADD CONSTRAINT answer_response_id_fkey FOREIGN KEY (response_id) REFERENCES public.response(id) ON DELETE CASCADE;


--
-- Name: comment comment_dimension_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.comment
    ADD CONSTRAINT comment_dimension_id_fkey FOREIGN KEY (dimension_id) REFERENCES public.dimension(id);


--
-- Name: comment comment_response_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.comment
    ADD CONSTRAINT comment_response_id_fkey FOREIGN KEY (response_id) REFERENCES public.response(id) ON DELETE CASCADE;


--
-- Name: dimension dimension_questionnaire_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dimension
    ADD CONSTRAINT dimension_questionnaire_id_fkey FOREIGN KEY (questionnaire_id) REFERENCES public.questionnaire(id);


--
-- Name: invitation invitation_response_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invitation
    ADD CONSTRAINT invitation_response_id_fkey FOREIGN KEY (response_id) REFERENCES public.response(id) ON DELETE SET NULL;


--
-- Name: invitation invitation_round_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invitation
    ADD CONSTRAINT invitation_round_id_fkey FOREIGN KEY (round_id) REFERENCES public.round(id);


--
-- Name: item item_dimension_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.item
    ADD CONSTRAINT item_dimension_id_fkey FOREIGN KEY (dimension_id) REFERENCES public.dimension(id);


--
-- Name: item item_questionnaire_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.item
    ADD CONSTRAINT item_questionnaire_id_fkey FOREIGN KEY (questionnaire_id) REFERENCES public.questionnaire(id);


--
-- Name: response response_round_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.response
    ADD CONSTRAINT response_round_id_fkey FOREIGN KEY (round_id) REFERENCES public.round(id);


--
-- Name: round round_association_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.round
    ADD CONSTRAINT round_association_id_fkey FOREIGN KEY (association_id) REFERENCES public.association(id);


--
-- Name: round round_questionnaire_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.round
    ADD CONSTRAINT round_questionnaire_id_fkey FOREIGN KEY (questionnaire_id) REFERENCES public.questionnaire(id);


--
-- PostgreSQL database dump complete
--


