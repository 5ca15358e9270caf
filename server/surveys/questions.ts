import type { FieldError } from '../graphql/errors.js';
import { InputErrors } from '../graphql/errors.js';
import { LIMITS } from '../graphql/validate.js';
import { analyzeSentiment } from '../feedback/sentiment.js';
import { QuestionKind, SurveyKind, type StoredAnswer, type StoredQuestion, type StoredText } from './survey.entity.js';
import type { LocalizedTextInput, SurveyAnswerInput, SurveyQuestionInput } from './survey.inputs.js';

/** Rules for question sets and answers. No database here: the services pass definitions in. */

export const MAX_QUESTIONS = 50;
export const MAX_CHOICES = 50;
export const MAX_ANSWERS = 200;
const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Field errors that also name the question they are about (`questionId` in extensions.fields). */
export class AnswerErrors extends InputErrors {
  addFor(questionId: string | null, path: string, message: string): void {
    this.fields.push({ path, message, ...(questionId ? { questionId } : {}) } as FieldError);
  }
}

export function checkLocalized(
  errors: InputErrors,
  path: string,
  value: LocalizedTextInput | null | undefined,
  max: number,
  { required = true }: { required?: boolean } = {},
): StoredText | null {
  if (!value) {
    if (required) errors.add(path, 'is required (en, zhCN or both)');
    return null;
  }
  const clean = (v: string | null | undefined, p: string): string | null => {
    const t = v?.trim() ?? '';
    if ([...t].length > max) errors.add(p, `must be at most ${max} characters`);
    return t === '' ? null : t;
  };
  const text = { en: clean(value.en, `${path}.en`), zhCN: clean(value.zhCN, `${path}.zhCN`) };
  if (!text.en && !text.zhCN) {
    if (required) errors.add(path, 'needs text in en, zhCN or both');
    return null;
  }
  return text;
}

/** Ids for questions or choices the client did not name: q1, q2… skipping ids already taken. */
function assignIds(given: (string | null | undefined)[], prefix: string): string[] {
  const taken = new Set(given.filter((g): g is string => !!g));
  let n = 0;
  return given.map((g) => {
    if (g) return g;
    do n++;
    while (taken.has(`${prefix}${n}`));
    taken.add(`${prefix}${n}`);
    return `${prefix}${n}`;
  });
}

export function normalizeQuestions(errors: InputErrors, path: string, inputs: SurveyQuestionInput[], kind: SurveyKind): StoredQuestion[] {
  if (inputs.length === 0) errors.add(path, 'needs at least one question');
  if (inputs.length > MAX_QUESTIONS) errors.add(path, `takes at most ${MAX_QUESTIONS} questions`);
  const ids = assignIds(inputs.map((q) => q.id?.trim()), 'q');
  const seen = new Set<string>();
  const questions = inputs.map((q, i): StoredQuestion => {
    const qp = `${path}.${i}`;
    const id = ids[i];
    if (!ID_PATTERN.test(id)) errors.add(`${qp}.id`, 'must start with a letter and use only letters, digits, _ and - (at most 64)');
    if (seen.has(id)) errors.add(`${qp}.id`, `repeats question id "${id}"`);
    seen.add(id);
    const text = checkLocalized(errors, `${qp}.text`, q.text, 1000) ?? { en: null, zhCN: null };
    let scale: number | null = null;
    if (q.kind === QuestionKind.RATING) {
      if (q.scale == null) errors.add(`${qp}.scale`, 'is required for a RATING question (answers run from 1 to scale)');
      else if (!Number.isInteger(q.scale) || q.scale < 2 || q.scale > 10) errors.add(`${qp}.scale`, 'must be a whole number from 2 to 10');
      scale = q.scale ?? null;
    } else if (q.scale != null && !(q.kind === QuestionKind.NPS && q.scale === 10)) {
      errors.add(`${qp}.scale`, 'applies only to RATING questions');
    }
    const choiceInputs = q.choices ?? [];
    const isChoice = q.kind === QuestionKind.SINGLE_CHOICE || q.kind === QuestionKind.MULTI_CHOICE;
    if (isChoice && (choiceInputs.length < 2 || choiceInputs.length > MAX_CHOICES)) {
      errors.add(`${qp}.choices`, `needs 2 to ${MAX_CHOICES} choices`);
    }
    if (!isChoice && choiceInputs.length) errors.add(`${qp}.choices`, 'apply only to SINGLE_CHOICE and MULTI_CHOICE questions');
    const choiceIds = assignIds(choiceInputs.map((c) => c.id?.trim()), 'c');
    const seenChoices = new Set<string>();
    const choices = choiceInputs.map((c, j) => {
      const cp = `${qp}.choices.${j}`;
      const cid = choiceIds[j];
      if (!ID_PATTERN.test(cid)) errors.add(`${cp}.id`, 'must start with a letter and use only letters, digits, _ and - (at most 64)');
      if (seenChoices.has(cid)) errors.add(`${cp}.id`, `repeats choice id "${cid}"`);
      seenChoices.add(cid);
      return { id: cid, text: checkLocalized(errors, `${cp}.text`, c.text, LIMITS.shortText) ?? { en: null, zhCN: null } };
    });
    return { id, kind: q.kind, required: q.required ?? false, text, scale, choices: isChoice ? choices : [] };
  });
  if (!errors.any && kind !== SurveyKind.CUSTOM && !scoreQuestion(kind, questions)) {
    const need = { NPS: 'an NPS question', CSAT: 'a RATING question with scale 5', CES: 'a RATING question with scale 7' }[kind];
    errors.add(path, `a ${kind} survey needs ${need}`);
  }
  return questions;
}

/** The question whose answer is the response's score: NPS 0–10, CSAT 1–5, CES 1–7. */
export function scoreQuestion(kind: SurveyKind, questions: StoredQuestion[]): StoredQuestion | null {
  switch (kind) {
    case SurveyKind.NPS:
      return questions.find((q) => q.kind === QuestionKind.NPS) ?? null;
    case SurveyKind.CSAT:
      return questions.find((q) => q.kind === QuestionKind.RATING && q.scale === 5) ?? null;
    case SurveyKind.CES:
      return questions.find((q) => q.kind === QuestionKind.RATING && q.scale === 7) ?? null;
    default:
      return null;
  }
}

const COMMENT = (en: string, zhCN: string, id = 'comment'): StoredQuestion => ({
  id, kind: QuestionKind.TEXT, required: false, text: { en, zhCN }, scale: null, choices: [],
});

/** The standard question set of each kind, used when a survey is created without questions. */
export function defaultQuestions(kind: SurveyKind): StoredQuestion[] | null {
  switch (kind) {
    case SurveyKind.NPS:
      return [
        { id: 'nps', kind: QuestionKind.NPS, required: true, scale: null, choices: [],
          text: { en: 'How likely are you to recommend us to a friend or colleague?', zhCN: '您向朋友或同事推荐我们的可能性有多大？' } },
        COMMENT('What is the main reason for your score?', '您给出这个分数的主要原因是什么？', 'reason'),
      ];
    case SurveyKind.CSAT:
      return [
        { id: 'csat', kind: QuestionKind.RATING, required: true, scale: 5, choices: [],
          text: { en: 'How satisfied are you with the service you received?', zhCN: '您对我们提供的服务满意吗？' } },
        COMMENT('What could we have done better?', '我们还有哪些可以做得更好的地方？'),
      ];
    case SurveyKind.CES:
      return [
        { id: 'ces', kind: QuestionKind.RATING, required: true, scale: 7, choices: [],
          text: { en: 'How easy was it to get what you needed from us?', zhCN: '从我们这里获得所需帮助的过程有多轻松？' } },
        COMMENT('What made it easy or hard?', '是什么让这个过程变得轻松或困难？'),
      ];
    default:
      return null;
  }
}

/**
 * Checks answers against a question set. Returns the answers keyed by question id; `null`
 * clears an answer given earlier (a partial response being edited). Errors carry the answer's
 * path (`input.answers.2.value`) and the question id.
 */
export function validateAnswers(
  errors: AnswerErrors,
  path: string,
  inputs: SurveyAnswerInput[],
  questions: StoredQuestion[],
): Record<string, StoredAnswer | null> {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const out: Record<string, StoredAnswer | null> = {};
  const seen = new Set<string>();
  if (inputs.length > MAX_ANSWERS) {
    errors.add(path, `takes at most ${MAX_ANSWERS} answers`);
    return out;
  }
  inputs.forEach((a, i) => {
    const ap = `${path}.${i}`;
    const q = byId.get(a.questionId);
    if (!q) {
      errors.addFor(a.questionId, `${ap}.questionId`, `"${a.questionId}" is not a question of this survey version`);
      return;
    }
    if (seen.has(q.id)) {
      errors.addFor(q.id, `${ap}.questionId`, `answers question "${q.id}" a second time`);
      return;
    }
    seen.add(q.id);
    const hasValue = a.value != null;
    const hasChoices = a.choiceIds != null;
    const hasText = a.text != null;
    if (!hasValue && !hasChoices && !hasText) {
      out[q.id] = null;
      return;
    }
    const only = (field: 'value' | 'choiceIds' | 'text') => {
      for (const [name, given] of [['value', hasValue], ['choiceIds', hasChoices], ['text', hasText]] as const) {
        if (name !== field && given) errors.addFor(q.id, `${ap}.${name}`, `does not apply to a ${q.kind} question; give ${field}`);
      }
    };
    switch (q.kind) {
      case QuestionKind.NPS:
      case QuestionKind.RATING: {
        only('value');
        const [min, max] = q.kind === QuestionKind.NPS ? [0, 10] : [1, q.scale ?? 5];
        if (!hasValue) errors.addFor(q.id, `${ap}.value`, `is required: a whole number from ${min} to ${max}`);
        else if (!Number.isInteger(a.value) || a.value! < min || a.value! > max) {
          errors.addFor(q.id, `${ap}.value`, `must be a whole number from ${min} to ${max}`);
        } else out[q.id] = { value: a.value! };
        break;
      }
      case QuestionKind.SINGLE_CHOICE:
      case QuestionKind.MULTI_CHOICE: {
        only('choiceIds');
        const ids = a.choiceIds ?? [];
        const known = new Set(q.choices.map((c) => c.id));
        let ok = true;
        if (!hasChoices || ids.length === 0) {
          errors.addFor(q.id, `${ap}.choiceIds`, 'needs at least one choice id');
          ok = false;
        } else if (q.kind === QuestionKind.SINGLE_CHOICE && ids.length > 1) {
          errors.addFor(q.id, `${ap}.choiceIds`, 'takes exactly one choice id for a SINGLE_CHOICE question');
          ok = false;
        }
        if (new Set(ids).size !== ids.length) {
          errors.addFor(q.id, `${ap}.choiceIds`, 'must not repeat a choice id');
          ok = false;
        }
        ids.forEach((id, j) => {
          if (!known.has(id)) {
            errors.addFor(q.id, `${ap}.choiceIds.${j}`, `"${id}" is not a choice of question "${q.id}"; choices: ${[...known].join(', ')}`);
            ok = false;
          }
        });
        if (ok) out[q.id] = { choiceIds: q.choices.map((c) => c.id).filter((id) => ids.includes(id)) };
        break;
      }
      case QuestionKind.TEXT: {
        only('text');
        const text = (a.text ?? '').trim();
        if ([...text].length > LIMITS.notes) errors.addFor(q.id, `${ap}.text`, `must be at most ${LIMITS.notes} characters`);
        else if (text === '') out[q.id] = null;
        else out[q.id] = { text, sentiment: analyzeSentiment(text).sentiment };
        break;
      }
    }
  });
  return out;
}

/** Applies an answer patch (null clears) to stored answers. */
export function mergeAnswers(
  stored: Record<string, StoredAnswer>,
  patch: Record<string, StoredAnswer | null>,
): Record<string, StoredAnswer> {
  const merged = { ...stored };
  for (const [id, answer] of Object.entries(patch)) {
    if (answer === null) delete merged[id];
    else merged[id] = answer;
  }
  return merged;
}

/** Required questions without an answer (and no error of their own already), reported on `path` with their question id. */
export function checkRequired(errors: AnswerErrors, path: string, questions: StoredQuestion[], answers: Record<string, StoredAnswer>): void {
  const reported = new Set(errors.fields.map((f) => (f as { questionId?: string }).questionId));
  for (const q of questions) {
    if (q.required && !answers[q.id] && !reported.has(q.id)) {
      errors.addFor(q.id, path, `question "${q.id}" is required (${q.text.en ?? q.text.zhCN})`);
    }
  }
}

/** Stable JSON for comparing answer sets. */
export function sameAnswers(a: Record<string, StoredAnswer>, b: Record<string, StoredAnswer>): boolean {
  const canon = (x: Record<string, StoredAnswer>) =>
    JSON.stringify(Object.keys(x).sort().map((k) => [k, x[k].value ?? null, x[k].choiceIds ?? null, x[k].text ?? null]));
  return canon(a) === canon(b);
}
