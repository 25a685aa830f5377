export { compileTemplate, type CompiledTemplate } from './template.js';
export { STRING_FUNCTIONS, timeFunctions } from './executor.js';
export { TemplateRenderError, TemplateSyntaxError } from './template-error.js';
