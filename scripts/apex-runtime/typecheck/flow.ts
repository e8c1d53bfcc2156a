// Reachability for the "missing return" check: can a statement complete normally (fall off its
// end) under the Java-style rules Apex applies? Loops whose condition is the literal `true`
// and that contain no `break` of their own never complete; everything else is judged by its
// structure, never by the values of expressions.

import {
  BlockContext,
  StatementContext,
  type ApexParserRuleContext
} from '@apexdevtools/apex-parser';

/** Whether control can reach the end of the block. */
export function blockCompletes(block: BlockContext): boolean {
  for (const s of block.statement_list()) if (!statementCompletes(s)) return false;
  return true;
}

export function statementCompletes(s: StatementContext): boolean {
  if (s.returnStatement() || s.throwStatement()) return false;
  const b = s.block();
  if (b) return blockCompletes(b);
  const ifs = s.ifStatement();
  if (ifs) {
    const [then, els] = ifs.statement_list();
    return !els || statementCompletes(then) || statementCompletes(els);
  }
  const tr = s.tryStatement();
  if (tr) {
    const fin = tr.finallyBlock();
    if (fin && !blockCompletes(fin.block())) return false;
    if (blockCompletes(tr.block())) return true;
    return tr.catchClause_list().some((c) => blockCompletes(c.block()));
  }
  const sw = s.switchStatement();
  if (sw) {
    const arms = sw.whenControl_list();
    if (!arms.some((w) => w.whenValue().ELSE())) return true;
    return arms.some((w) => blockCompletes(w.block()));
  }
  const ra = s.runAsStatement();
  if (ra) return blockCompletes(ra.block());
  const ws = s.whileStatement();
  if (ws) return !isTrueLiteral(ws.parExpression().expression()) || hasOwnBreak(ws.statement());
  const dw = s.doWhileStatement();
  if (dw) {
    if (isTrueLiteral(dw.parExpression().expression())) return hasOwnBreak(dw.block());
    return true;
  }
  const fs = s.forStatement();
  if (fs) {
    const fc = fs.forControl();
    if (fc.enhancedForControl()) return true;
    const cond = fc.expression();
    if (cond && !isTrueLiteral(cond)) return true;
    return hasOwnBreak(fs.statement());
  }
  return true;
}

function isTrueLiteral(e: ApexParserRuleContext): boolean {
  return e.getText().toLowerCase() === 'true';
}

/** A `break` in `node` that exits the loop owning `node` (not one of a nested loop). */
function hasOwnBreak(node: ApexParserRuleContext | null): boolean {
  if (!node) return false;
  if (node instanceof StatementContext) {
    if (node.breakStatement()) return true;
    if (node.whileStatement() || node.doWhileStatement() || node.forStatement()) return false;
  }
  const children = (node as unknown as { children: unknown[] | null }).children ?? [];
  for (const c of children) {
    if (c && typeof c === 'object' && 'children' in (c as object)) {
      if (hasOwnBreak(c as ApexParserRuleContext)) return true;
    }
  }
  return false;
}
