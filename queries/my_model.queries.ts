/** Types generated for queries found in "queries/my_model.sql" */
import { PreparedQuery } from '@rbsql/runtime';

export type NumberOrString = number | string;

/** 'GetMyModelById' parameters type */
export interface IGetMyModelByIdParams {
  id: NumberOrString;
}

/** 'GetMyModelById' return type */
export interface IGetMyModelByIdResult {
  id: string;
  model_prop: string | null;
  user_id: string | null;
}

/** 'GetMyModelById' query type */
export interface IGetMyModelByIdQuery {
  params: IGetMyModelByIdParams;
  result: IGetMyModelByIdResult;
}

const getMyModelByIdIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":56,"b":59}]}],"statement":"SELECT id, model_prop, user_id FROM my_model WHERE id = :id!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, model_prop, user_id FROM my_model WHERE id = :id!
 * ```
 */
export const getMyModelById = new PreparedQuery<IGetMyModelByIdParams,IGetMyModelByIdResult>(getMyModelByIdIR);


/** 'ListMyModelsByUser' parameters type */
export interface IListMyModelsByUserParams {
  userId: NumberOrString;
}

/** 'ListMyModelsByUser' return type */
export interface IListMyModelsByUserResult {
  id: string;
  model_prop: string | null;
  user_id: string | null;
}

/** 'ListMyModelsByUser' query type */
export interface IListMyModelsByUserQuery {
  params: IListMyModelsByUserParams;
  result: IListMyModelsByUserResult;
}

const listMyModelsByUserIR: any = {"usedParamSet":{"userId":true},"params":[{"name":"userId","required":true,"transform":{"type":"scalar"},"locs":[{"a":61,"b":68}]}],"statement":"SELECT id, model_prop, user_id FROM my_model WHERE user_id = :userId! ORDER BY id"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, model_prop, user_id FROM my_model WHERE user_id = :userId! ORDER BY id
 * ```
 */
export const listMyModelsByUser = new PreparedQuery<IListMyModelsByUserParams,IListMyModelsByUserResult>(listMyModelsByUserIR);


/** 'InsertMyModel' parameters type */
export interface IInsertMyModelParams {
  modelProp?: string | null | void;
  userId: NumberOrString;
}

/** 'InsertMyModel' return type */
export interface IInsertMyModelResult {
  id: string;
  model_prop: string | null;
  user_id: string | null;
}

/** 'InsertMyModel' query type */
export interface IInsertMyModelQuery {
  params: IInsertMyModelParams;
  result: IInsertMyModelResult;
}

const insertMyModelIR: any = {"usedParamSet":{"modelProp":true,"userId":true},"params":[{"name":"modelProp","required":false,"transform":{"type":"scalar"},"locs":[{"a":51,"b":60}]},{"name":"userId","required":true,"transform":{"type":"scalar"},"locs":[{"a":63,"b":70}]}],"statement":"INSERT INTO my_model (model_prop, user_id) VALUES (:modelProp, :userId!) RETURNING id, model_prop, user_id"};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO my_model (model_prop, user_id) VALUES (:modelProp, :userId!) RETURNING id, model_prop, user_id
 * ```
 */
export const insertMyModel = new PreparedQuery<IInsertMyModelParams,IInsertMyModelResult>(insertMyModelIR);


/** 'UpdateModelPropForIds' parameters type */
export interface IUpdateModelPropForIdsParams {
  ids: readonly [NumberOrString, ...(NumberOrString)[]];
  modelProp?: string | null | void;
}

/** 'UpdateModelPropForIds' return type */
export type IUpdateModelPropForIdsResult = void;

/** 'UpdateModelPropForIds' query type */
export interface IUpdateModelPropForIdsQuery {
  params: IUpdateModelPropForIdsParams;
  result: IUpdateModelPropForIdsResult;
}

const updateModelPropForIdsIR: any = {"usedParamSet":{"modelProp":true,"ids":true},"params":[{"name":"ids","required":true,"transform":{"type":"array_spread"},"locs":[{"a":56,"b":60}]},{"name":"modelProp","required":false,"transform":{"type":"scalar"},"locs":[{"a":33,"b":42}]}],"statement":"UPDATE my_model SET model_prop = :modelProp WHERE id IN :ids!"};

/**
 * Query generated from SQL:
 * ```
 * UPDATE my_model SET model_prop = :modelProp WHERE id IN :ids!
 * ```
 */
export const updateModelPropForIds = new PreparedQuery<IUpdateModelPropForIdsParams,IUpdateModelPropForIdsResult>(updateModelPropForIdsIR);


/** 'PopulateModelPropInRange' parameters type */
export interface IPopulateModelPropInRangeParams {
  fromId: NumberOrString;
  toId: NumberOrString;
}

/** 'PopulateModelPropInRange' return type */
export type IPopulateModelPropInRangeResult = void;

/** 'PopulateModelPropInRange' query type */
export interface IPopulateModelPropInRangeQuery {
  params: IPopulateModelPropInRangeParams;
  result: IPopulateModelPropInRangeResult;
}

const populateModelPropInRangeIR: any = {"usedParamSet":{"fromId":true,"toId":true},"params":[{"name":"fromId","required":true,"transform":{"type":"scalar"},"locs":[{"a":59,"b":66}]},{"name":"toId","required":true,"transform":{"type":"scalar"},"locs":[{"a":72,"b":77}]}],"statement":"UPDATE my_model SET model_prop = id::text\nWHERE id BETWEEN :fromId! AND :toId! AND model_prop IS NULL"};

/**
 * Query generated from SQL:
 * ```
 * UPDATE my_model SET model_prop = id::text
 * WHERE id BETWEEN :fromId! AND :toId! AND model_prop IS NULL
 * ```
 */
export const populateModelPropInRange = new PreparedQuery<IPopulateModelPropInRangeParams,IPopulateModelPropInRangeResult>(populateModelPropInRangeIR);


