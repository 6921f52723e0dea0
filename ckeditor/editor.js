/**
 * The editor class the portal ships: CKEditor 5 from the single `ckeditor5` package, with only the plugins a
 * report needs. No General HTML Support, source editing, HTML embed, Style, media embed or full-page mode: the
 * editor can only produce what reports/sanitize.py allows. 字数 counts Chinese characters (character-count.js).
 */
import {
    ClassicEditor as ClassicEditorBase,
    Autoformat,
    BlockQuote,
    Bold,
    Essentials,
    Heading,
    Image,
    ImageCaption,
    ImageResize,
    ImageStyle,
    ImageToolbar,
    ImageUpload,
    Indent,
    Italic,
    Link,
    List,
    Paragraph,
    PasteFromOffice,
    RemoveFormat,
    SimpleUploadAdapter,
    Table,
    TableCaption,
    TableToolbar,
    Underline,
} from 'ckeditor5';
import ChineseCharacterCount from './character-count.js';
import 'ckeditor5/ckeditor5.css';

export default class ClassicEditor extends ClassicEditorBase {}

ClassicEditor.builtinPlugins = [
    Essentials,
    Autoformat,
    Paragraph,
    Heading,
    Bold,
    Italic,
    Underline,
    Link,
    List,
    Indent,
    BlockQuote,
    Table,
    TableToolbar,
    TableCaption,
    Image,
    ImageCaption,
    ImageStyle,
    ImageToolbar,
    ImageResize,
    ImageUpload,
    SimpleUploadAdapter,
    PasteFromOffice,
    RemoveFormat,
    ChineseCharacterCount,
];
