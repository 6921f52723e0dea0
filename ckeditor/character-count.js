/**
 * 字数 under every editor: Chinese text is counted in characters, not words (CKEditor's WordCount counts a
 * paragraph of Chinese as one "word"). Each CJK character and full-width punctuation mark counts one, a run of
 * Latin letters or digits (`2024`, `PDF`) counts one, spaces count nothing: how Chinese word processors count.
 * Shown in the widget's `.word-count` slot, beside the textarea the editor replaces.
 */
import { Plugin } from 'ckeditor5';

const CJK = /[\u2014\u2018-\u201d\u2026\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff5e]/gu;
const LATIN = /[A-Za-z0-9]+(?:[.'’-][A-Za-z0-9]+)*/g;

export function countCharacters(text) {
    return (text.match(CJK) || []).length + (text.match(LATIN) || []).length;
}

export default class ChineseCharacterCount extends Plugin {
    static get pluginName() {
        return 'ChineseCharacterCount';
    }

    init() {
        const editor = this.editor;
        const output = document.createElement('span');
        output.className = 'ck-character-count';
        output.setAttribute('aria-live', 'polite');
        let timer = null;
        const update = () => {
            const text = new DOMParser().parseFromString(editor.getData(), 'text/html').body.textContent || '';
            output.textContent = `字数：${countCharacters(text)}`;
        };
        editor.model.document.on('change:data', () => {
            clearTimeout(timer);
            timer = setTimeout(update, 200);
        });
        editor.on('ready', () => {
            const source = editor.sourceElement;
            const slot = source && source.parentElement ? source.parentElement.querySelector('.word-count') : null;
            (slot || source?.parentElement)?.appendChild(output);
            update();
        });
    }
}
